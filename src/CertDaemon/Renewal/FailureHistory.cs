namespace CertDaemon.Renewal;

/// <summary>
/// Failed renewal attempts since the last success, kept in the state directory so a restart does not reset the backoff
/// (RFC 9773 section 4.2 asks clients to store the number of failures and the time of the last one).
/// </summary>
/// <param name="ConsecutiveFailures">Failures in a row; 0 means none.</param>
/// <param name="LastFailureAt">When the last one happened.</param>
/// <param name="RetryAfter">The CA's <c>Retry-After</c> from the last failure (rate limits), if any: never retry before it.</param>
/// <param name="NextRegularCheck">The next regular check of this certificate; after the short backoff steps retries wait for it.</param>
internal sealed record FailureHistory(
    int ConsecutiveFailures,
    DateTimeOffset LastFailureAt,
    DateTimeOffset? RetryAfter = null,
    DateTimeOffset? NextRegularCheck = null);
