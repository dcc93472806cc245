namespace CertDaemon.Aws;

/// <summary>Bounds of the AWS retry policy (full-jitter exponential backoff).</summary>
internal sealed record AwsRetryOptions
{
    /// <summary>
    /// Attempts in total, the first included. The default is 10: with full jitter capped at 10 s the worst case is
    /// about a minute, well inside a propagation timeout, and a call that meets 40% throttling and 5xx (the benchmark's
    /// fault mix) gives up once in ~10,000 instead of once in ~250 with 6 attempts. Non-retryable errors fail at once.
    /// </summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Backoff before retry n is uniformly random in [0, min(<see cref="MaxDelay"/>, BaseDelay * 2^(n-1))]. The default is 200 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of one backoff. The default is 10 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A <c>Retry-After</c> up to this long is waited out exactly; a longer one ends the retries (the answer is
    /// returned as it is) rather than blocking a renewal for minutes. The default is 30 s.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Time limit of one attempt; a timed-out attempt counts as a dropped connection and is retried. The default is
    /// 30 s. (The HttpClient itself has no timeout: it could not tell a slow attempt from the caller cancelling.)
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public static AwsRetryOptions Default { get; } = new();

    /// <summary>Throws when a bound makes no sense (zero attempts, negative delays).</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero, nameof(BaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryAfter, TimeSpan.Zero, nameof(MaxRetryAfter));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
    }
}
