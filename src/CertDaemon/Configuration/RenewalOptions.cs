namespace CertDaemon.Configuration;

/// <summary>Renewal scheduling (section <c>Renewal</c>).</summary>
internal sealed record RenewalOptions
{
    /// <summary>The default regular check interval, 12 hours (Let's Encrypt asks for ARI checks at least twice a day).</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromHours(12);

    /// <summary>How many certificates may be issued at the same time; 1 to 16. The default value is 2.</summary>
    public int MaxConcurrentIssuances { get; init; } = 2;

    /// <summary>How often each certificate is checked (ARI poll, renewal decision); 00:01:00 to 12:00:00. The default value is 12:00:00.</summary>
    public TimeSpan CheckInterval { get; init; } = DefaultCheckInterval;
}
