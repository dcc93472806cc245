namespace CertDaemon.Testbed.Pebble;

/// <summary>The knobs of a pebble run (environment variables and config file fields, see shared/TESTBED.md).</summary>
public sealed record PebbleOptions
{
    /// <summary><c>PEBBLE_WFE_NONCEREJECT</c>: percent of valid nonces rejected with badNonce. Default 20 (robustness on).</summary>
    public int NonceRejectPercent { get; init; } = 20;

    /// <summary><c>PEBBLE_AUTHZREUSE</c>: percent of authorizations reused across orders. Default 50 (pebble's own).</summary>
    public int AuthorizationReusePercent { get; init; } = 50;

    /// <summary><c>PEBBLE_CHAIN_LENGTH</c>: intermediates between leaf and root. Default 1.</summary>
    public int ChainLength { get; init; } = 1;

    /// <summary><c>PEBBLE_ALTERNATE_ROOTS</c>: extra roots offered as alternate chains. Default 0.</summary>
    public int AlternateRoots { get; init; }

    /// <summary><c>certificateValidityPeriod</c> in seconds; null keeps pebble's default (5 years).</summary>
    public long? ValidityPeriodSeconds { get; init; }

    /// <summary><c>externalAccountMACKeys</c>: kid → base64url HMAC key. Non-empty makes EAB required.</summary>
    public IReadOnlyDictionary<string, string> ExternalAccountMacKeys { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The DNS server (port on 127.0.0.1) pebble validates against instead of this run's own challtestsrv: a second CA
    /// (fallback tests) sees the records the first run's challtestsrv holds. Null (the default) uses its own.
    /// </summary>
    public int? DnsServerPort { get; init; }

    /// <summary><c>PEBBLE_VA_NOSLEEP</c>: skip the random validation sleep. Default true.</summary>
    public bool NoValidationSleep { get; init; } = true;
}
