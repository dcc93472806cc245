namespace CertDaemon.Storage;

/// <summary>
/// What the checks of one certificate amounted to, kept across restarts so that a counter never goes backwards and
/// a failure is announced once and its recovery once.
/// </summary>
/// <param name="LastCheckAt">When the certificate was last checked (by the daemon or <c>certdaemon renew</c>).</param>
/// <param name="FailedRuns">Failed renewal or deployment runs since the state file was created (a Prometheus counter).</param>
/// <param name="FailingSince">When the current run of failures began; null while the certificate is healthy.</param>
/// <param name="LastFailure">What the most recent failed run said (target and cause); null once it recovered.</param>
internal sealed record CheckHistory(DateTimeOffset? LastCheckAt, long FailedRuns = 0, DateTimeOffset? FailingSince = null, string? LastFailure = null);
