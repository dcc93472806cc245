namespace CertDaemon.Sandbox;

/// <summary>How a <c>certdaemon</c> command ended and everything it printed.</summary>
internal sealed record CommandOutcome(string CommandLine, int ExitCode, string Output, string Error)
{
    /// <summary>The whole exchange, for a failing step's evidence.</summary>
    public string Transcript => $"$ {CommandLine}\nexit code {ExitCode}\n--- stdout ---\n{Output.TrimEnd()}\n--- stderr ---\n{Error.TrimEnd()}";

    /// <summary>Throws a step failure unless the command exited with <paramref name="expected"/>.</summary>
    public CommandOutcome Expect(int expected = 0)
    {
        if (ExitCode != expected)
        {
            throw new SandboxStepException($"'{CommandLine}' exited with {ExitCode}, expected {expected}", Transcript);
        }

        return this;
    }
}
