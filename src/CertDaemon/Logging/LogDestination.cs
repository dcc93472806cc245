namespace CertDaemon.Logging;

// Public only because xunit theories (which must be public) take it as a parameter; nothing outside this
// assembly uses it.
/// <summary>Which standard stream log events go to.</summary>
public enum LogDestination
{
    /// <summary>stdout: the daemon (<c>certdaemon run</c>), whose stdout is the journal.</summary>
    StandardOutput,

    /// <summary>stderr: one-shot commands, whose stdout carries their result (<c>iam-policy</c>, <c>status --json</c>).</summary>
    StandardError,
}
