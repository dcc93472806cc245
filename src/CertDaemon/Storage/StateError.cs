namespace CertDaemon.Storage;

/// <summary>A failure remembered in the state file.</summary>
/// <param name="Message">What went wrong, as shown by <c>certdaemon status</c> (never secrets).</param>
/// <param name="At">When.</param>
/// <param name="Kind">A stable short classification (exception type, ACME problem type), when known.</param>
internal sealed record StateError(string Message, DateTimeOffset At, string? Kind = null);
