namespace CertDaemon.Dns.Route53;

/// <summary>
/// What <see cref="Route53DnsChallengeSolver"/> needs from the configuration: <c>Route53.PropagationTimeout</c>,
/// <c>Route53.HostedZoneId</c> (top-level or the certificate's override), <c>Route53.PrivateZones</c> and
/// <c>Dns.Nameservers</c>, plus polling knobs that are not configurable by operators.
/// </summary>
internal sealed record Route53SolverOptions
{
    /// <summary>How long publication may take, from the first change sent until every nameserver answers every value
    /// (INSYNC wait and DNS check share it). The default value is 00:05:00.</summary>
    public TimeSpan PropagationTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The hosted zone to write to (<c>Z...</c> or <c>/hostedzone/Z...</c>), the certificate's override or the
    /// top-level value. The default is none: each name's zone is found by name.</summary>
    public string? HostedZoneId { get; init; }

    /// <summary>Whether private hosted zones may be chosen when finding a zone by name. The default value is <see langword="false"/>.</summary>
    public bool PrivateZones { get; init; }

    /// <summary><c>ip[:port]</c> servers asked instead of each zone's authoritative nameservers, and used as the resolvers
    /// for CNAME lookups. The default is none: authoritative servers from GetHostedZone, system resolvers for CNAMEs.</summary>
    public IReadOnlyList<string> Nameservers { get; init; } = [];

    /// <summary>First wait between GetChange polls and between DNS checks; doubled after each. The default value is 0.5 s.</summary>
    public TimeSpan InitialPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between polls. The default value is 5 s.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of one DNS query. The default value is 2 s.</summary>
    public TimeSpan DnsQueryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>TTL of a TXT record set we create (an existing one keeps its TTL). The default value is 60 seconds.</summary>
    public long Ttl { get; init; } = TxtRecordSetMerge.DefaultTtl;

    /// <summary>The Route53 per-request limits batches are split at. The default is Route53's (100 changes, 1000 values, 32000 characters).</summary>
    public Route53ChangeLimits ChangeLimits { get; init; } = Route53ChangeLimits.Default;
}
