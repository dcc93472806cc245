using DnsClient;

namespace CertDaemon.Dns;

/// <summary>
/// <see cref="ICnameResolver"/> over recursive resolvers: the configured <c>Dns.Nameservers</c> when there are any,
/// else the system's resolvers. Asks for type CNAME one link at a time, at most <see cref="MaxDepth"/> links.
/// </summary>
internal sealed class DnsCnameResolver : ICnameResolver
{
    /// <summary>The longest chain followed; RFC 1034 has no limit, resolvers commonly stop near 8-16.</summary>
    public const int MaxDepth = 8;

    private readonly LookupClient _lookup;

    /// <param name="resolvers">Recursive resolvers to ask; empty means the system's (<c>/etc/resolv.conf</c>).</param>
    /// <param name="timeout">Per-query timeout.</param>
    public DnsCnameResolver(IReadOnlyList<DnsServer> resolvers, TimeSpan timeout)
    {
        var options = resolvers.Count == 0
            ? new LookupClientOptions()
            : new LookupClientOptions([.. resolvers.Select(r => new NameServer(r.Endpoint))]);
        options.UseCache = false;
        options.Timeout = timeout;
        options.Retries = 1;
        options.UseTcpFallback = true;
        options.ThrowDnsErrors = false;
        _lookup = new LookupClient(options);
    }

    public async Task<string> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var current = DnsName.Normalize(name);
        var chain = new List<string> { current };
        for (var depth = 0; depth <= MaxDepth; depth++)
        {
            IDnsQueryResponse response;
            try
            {
                response = await _lookup.QueryAsync(new DnsQuestion(current, QueryType.CNAME), cancellationToken);
            }
            catch (DnsResponseException e)
            {
                throw new CnameResolutionException(name, chain, $"query for {current} CNAME failed: {e.Message}", e);
            }

            if (response.HasError)
            {
                if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
                {
                    return current;
                }

                throw new CnameResolutionException(name, chain, $"{response.NameServer} answered {response.Header.ResponseCode} for {current} CNAME");
            }

            var link = response.Answers.CnameRecords()
                .FirstOrDefault(r => DnsName.Normalize(r.DomainName.Value) == current);
            if (link is null)
            {
                return current;
            }

            var next = DnsName.Normalize(link.CanonicalName.Value);
            if (chain.Contains(next))
            {
                chain.Add(next);
                throw new CnameResolutionException(name, chain, "the chain loops");
            }

            chain.Add(next);
            current = next;
        }

        throw new CnameResolutionException(name, chain, $"the chain is longer than {MaxDepth} links");
    }
}
