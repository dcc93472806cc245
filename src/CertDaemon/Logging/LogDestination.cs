namespace CertDaemon.Logging;

/// <summary>Which standard stream log events go to.</summary>
public enum LogDestination
{
    /// <summary>stdout: the daemon (<c>certdaemon run</c>), whose stdout is the journal.</summary>
    StandardOutput,

    /// <summary>stderr: one-shot commands, whose stdout carries their result (<c>iam-policy</c>, <c>status --json</c>).</summary>
    StandardError,
}
