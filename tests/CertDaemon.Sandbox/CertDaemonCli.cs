using System.Diagnostics;

namespace CertDaemon.Sandbox;

/// <summary>
/// Runs the real <c>certdaemon</c> program as an operator would, with an environment that holds only what the sandbox
/// gives it for AWS and CertDaemon: never the caller's real AWS credentials or instance metadata.
/// </summary>
internal sealed class CertDaemonCli(string executable, IReadOnlyDictionary<string, string> environment)
{
    public string Executable { get; } = executable;

    /// <summary>Runs <c>certdaemon ARGS</c> to completion (at most two minutes); cancellation kills it.</summary>
    public async Task<CommandOutcome> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var dll = Executable.EndsWith(".dll", StringComparison.Ordinal);
        var start = new ProcessStartInfo(dll ? "dotnet" : Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (dll)
        {
            start.ArgumentList.Add(Executable);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("CERTDAEMON_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var commandLine = "certdaemon " + string.Join(' ', arguments.Select(Quote));
        using var process = Process.Start(start) ?? throw new SandboxStepException($"could not start {Executable}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new SandboxStepException($"'{commandLine}' did not finish within 2 minutes", $"{await stdout}\n{await stderr}");
        }

        return new CommandOutcome(commandLine, process.ExitCode, await stdout, await stderr);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
