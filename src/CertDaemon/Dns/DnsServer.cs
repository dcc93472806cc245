using System.Globalization;
using System.Net;

namespace CertDaemon.Dns;

/// <summary>A DNS server the propagation check asks directly; <see cref="Label"/> is how messages name it.</summary>
internal sealed record DnsServer(string Label, IPEndPoint Endpoint)
{
    /// <summary>The port used when an <c>ip[:port]</c> entry gives none.</summary>
    public const int DefaultPort = 53;

    /// <summary>
    /// Parses <c>Dns.Nameservers</c> entries: <c>ip</c>, <c>ip:port</c>, <c>[ipv6]:port</c> or a bare IPv6 address.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not an IP address with an optional port.</exception>
    public static IReadOnlyList<DnsServer> ParseAll(IEnumerable<string> entries)
    {
        var servers = new List<DnsServer>();
        foreach (var entry in entries)
        {
            if (!IPEndPoint.TryParse(entry.Trim(), out var endpoint))
            {
                throw new ArgumentException($"'{entry}' is not ip[:port] (IPv6 as [::1]:53)", nameof(entries));
            }

            if (endpoint.Port == 0)
            {
                endpoint = new IPEndPoint(endpoint.Address, DefaultPort);
            }

            servers.Add(new DnsServer(endpoint.ToString(), endpoint));
        }

        return servers;
    }

    public override string ToString() =>
        Label == Endpoint.ToString() ? Label : string.Create(CultureInfo.InvariantCulture, $"{Label} ({Endpoint})");
}
