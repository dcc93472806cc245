namespace CertDaemon.Acme;

/// <summary>Tuning of <see cref="AcmeClient"/>; the defaults suit Let's Encrypt.</summary>
internal sealed record AcmeClientOptions
{
    /// <summary>
    /// How often one request is re-signed with a fresh nonce after badNonce (RFC 8555 6.5). The default value is 16:
    /// a retry costs one round trip, and even a CA rejecting half of all nonces then fails a request about once in
    /// 130,000 (0.5^17), where 10 retries failed an issuance of a few dozen requests a few times in a hundred.
    /// </summary>
    public int MaxBadNonceRetries { get; init; } = 16;

    /// <summary>First delay between polls when the CA sends no Retry-After. The default value is 1 second.</summary>
    public TimeSpan PollInitialInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of the doubling poll delay without Retry-After. The default value is 10 seconds.</summary>
    public TimeSpan PollMaxInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The User-Agent header (RFC 8555 6.1 asks clients to send one). The default value is null: "CertDaemon/&lt;version&gt;".</summary>
    public string? UserAgent { get; init; }
}
