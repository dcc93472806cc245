namespace CertDaemon.Processes;

/// <summary>How a command run by <see cref="CommandRunner"/> ended.</summary>
internal enum CommandStatus
{
    /// <summary>The program ran and exited by itself; see <see cref="CommandResult.ExitCode"/>.</summary>
    Exited,

    /// <summary>The program was still running at the time limit and was killed with its child processes.</summary>
    TimedOut,

    /// <summary>The program could not be started (not found, not executable); see <see cref="CommandResult.StartError"/>.</summary>
    NotStarted,
}
