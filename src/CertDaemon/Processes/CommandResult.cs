using System.Globalization;

namespace CertDaemon.Processes;

/// <summary>What running one argv command produced. A failing or missing program is a result, not an exception.</summary>
internal sealed record CommandResult
{
    /// <summary>The argv list that was run (program first).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    public required CommandStatus Status { get; init; }

    /// <summary>The exit code when the process ended (128 + signal number when a signal ended it); <see langword="null"/> when it never started or could not be reaped.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Standard output and standard error interleaved in arrival order, at most <see cref="CommandRunner.MaxOutputChars"/> characters.</summary>
    public string Output { get; init; } = "";

    /// <summary>Whether <see cref="Output"/> was cut at the size limit.</summary>
    public bool OutputTruncated { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>The time limit the command ran under.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>Why the program could not be started, naming it; <see langword="null"/> when it started.</summary>
    public string? StartError { get; init; }

    public bool TimedOut => Status == CommandStatus.TimedOut;

    /// <summary>The program ran to completion with exit code 0.</summary>
    public bool Succeeded => Status == CommandStatus.Exited && ExitCode == 0;

    /// <summary>The command as a shell would show it, for messages only (it is never run through a shell).</summary>
    public string CommandLine => Format(Command);

    /// <summary>One sentence: what ran and how it ended (without the output).</summary>
    public string Describe() => Status switch
    {
        CommandStatus.NotStarted => $"`{CommandLine}` could not be started: {StartError}",
        CommandStatus.TimedOut => string.Create(
            CultureInfo.InvariantCulture, $"`{CommandLine}` did not finish within {Timeout.TotalSeconds:0.###} s and was killed with its child processes"),
        _ when ExitCode == 0 => $"`{CommandLine}` succeeded",
        _ => string.Create(CultureInfo.InvariantCulture, $"`{CommandLine}` failed with exit code {ExitCode}"),
    };

    /// <summary>Quotes arguments that a reader could misread (spaces, quotes, empty) the way a POSIX shell would.</summary>
    public static string Format(IReadOnlyList<string> command) => string.Join(' ', command.Select(Quote));

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
