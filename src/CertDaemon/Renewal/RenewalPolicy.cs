namespace CertDaemon.Renewal;

/// <summary>The tunables of <see cref="RenewalPlanner"/>. The defaults follow Let's Encrypt's published client guidance.</summary>
internal sealed record RenewalPolicy
{
    /// <summary>The default policy.</summary>
    public static readonly RenewalPolicy Default = new();

    /// <summary>Lifetimes shorter than this renew at half their lifetime instead of at two thirds. The default value is 10 days.</summary>
    public TimeSpan ShortLifetimeThreshold { get; init; } = TimeSpan.FromDays(10);

    /// <summary>When less than this fraction of the lifetime is left, renew now whatever ARI says. The default value is 1/20 (0.05).</summary>
    public double EmergencyFraction { get; init; } = 1.0 / 20;

    /// <summary>Waits after the 1st, 2nd, 3rd consecutive failure; later failures wait for the next regular check. The default value is 1 min, 10 min, 100 min.</summary>
    public IReadOnlyList<TimeSpan> BackoffSteps { get; init; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(100)];

    /// <summary>The regular check interval, used when no next check time is known. The default value is 12 hours.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The shortest ARI <c>Retry-After</c> honoured as given (RFC 9773 section 4.3 suggests treating less than one minute as one minute). The default value is 1 minute.</summary>
    public TimeSpan AriRetryAfterMinimum { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest wait between ARI checks; longer <c>Retry-After</c> values are cut to it (RFC 9773 section 4.3 suggests at most a day;
    /// Let's Encrypt asks for at least two checks a day). The default value is 12 hours.
    /// </summary>
    public TimeSpan AriCheckIntervalMaximum { get; init; } = TimeSpan.FromHours(12);

    /// <summary>Without <c>Retry-After</c>, the next ARI check comes up to this fraction of <see cref="CheckInterval"/> early, at random, to spread load. The default value is 0.1.</summary>
    public double CheckJitterFraction { get; init; } = 0.1;
}
