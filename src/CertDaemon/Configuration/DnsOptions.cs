namespace CertDaemon.Configuration;

/// <summary>DNS propagation check settings (section <c>Dns</c>).</summary>
internal sealed record DnsOptions
{
    /// <summary>
    /// <c>ip[:port]</c> resolvers (IPv6 as <c>[::1]:53</c>) asked instead of the zone's authoritative servers
    /// (tests, split-horizon). The default is none: ask the authoritative servers. Port defaults to 53.
    /// </summary>
    public IReadOnlyList<string> Nameservers { get; init; } = [];
}
