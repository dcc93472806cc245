using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Waits until every authoritative nameserver of a zone answers every published value: the configured
/// <c>Dns.Nameservers</c> when there are any, else the zone's delegation set from GetHostedZone, each name resolved
/// to one address (IPv4 first) through <see cref="INameServerAddressResolver"/>.
/// </summary>
internal sealed class AuthoritativeServerCheck(
    HostedZoneResolver zones, IReadOnlyList<DnsServer> configuredServers, INameServerAddressResolver addresses, DnsPropagationChecker checker,
    TimeSpan propagationTimeout, TimeProvider time, ILogger logger)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<DnsServer>> _zoneServers = new(StringComparer.Ordinal);

    /// <summary>Returns once every server of the zone answers every value in <paramref name="expected"/>; a zone without nameservers is skipped (logged).</summary>
    /// <exception cref="PropagationTimeoutException">Some nameserver lacked some value at <paramref name="deadline"/>.</exception>
    /// <exception cref="NameserverResolutionException">A nameserver of the zone has no address.</exception>
    public async Task WaitUntilVisibleAsync(
        string zoneId, string zoneName, IReadOnlyList<TxtRecordValue> expected, DateTimeOffset started, DateTimeOffset deadline,
        CancellationToken cancellationToken)
    {
        var servers = await ServersForZoneAsync(zoneId, zoneName, cancellationToken);
        if (servers.Count == 0)
        {
            return;
        }

        await checker.WaitUntilVisibleAsync(zoneName, servers, expected, deadline, propagationTimeout, cancellationToken);
        logger.ChallengeRecordsPropagated(zoneName, [.. servers.Select(s => s.ToString())], time.GetUtcNow() - started);
    }

    private async Task<IReadOnlyList<DnsServer>> ServersForZoneAsync(string zoneId, string zoneName, CancellationToken cancellationToken)
    {
        if (configuredServers.Count > 0)
        {
            return configuredServers;
        }

        if (_zoneServers.TryGetValue(zoneId, out var cached))
        {
            return cached;
        }

        var details = await zones.GetDetailsAsync(zoneId, cancellationToken);
        if (details.NameServers.Count == 0)
        {
            logger.PropagationCheckSkipped(zoneName);
            return [];
        }

        var servers = new List<DnsServer>();
        foreach (var nameserver in details.NameServers)
        {
            IReadOnlyList<IPAddress> found;
            try
            {
                found = await addresses.ResolveAsync(nameserver, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new NameserverResolutionException(zoneName, nameserver, e);
            }

            // Route53's nameservers are anycast: one address per server name is the server.
            var address = found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found.FirstOrDefault()
                ?? throw new NameserverResolutionException(zoneName, nameserver, null);
            servers.Add(new DnsServer(nameserver.TrimEnd('.'), new IPEndPoint(address, DnsServer.DefaultPort)));
        }

        _zoneServers[zoneId] = servers;
        return servers;
    }
}
