using System.Collections.Concurrent;
using DnsClient;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Dns;

/// <summary>
/// Asks each given server directly (no recursion, no cache, TCP when the UDP answer is truncated) whether it
/// answers every expected TXT value, and re-asks with capped backoff until all do or the deadline passes.
/// </summary>
/// <remarks>
/// Asking the authoritative servers themselves, not a recursive resolver, is what makes "visible to the CA" a
/// fact: a resolver would cache the NXDOMAIN it saw before publication for the zone's negative TTL.
/// </remarks>
internal sealed class DnsPropagationChecker
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _queryTimeout;
    private readonly TimeSpan _initialInterval;
    private readonly TimeSpan _maxInterval;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, LookupClient> _clients = new(StringComparer.Ordinal);

    public DnsPropagationChecker(TimeProvider timeProvider, TimeSpan queryTimeout, TimeSpan initialInterval, TimeSpan maxInterval, ILogger logger)
    {
        _timeProvider = timeProvider;
        _queryTimeout = queryTimeout;
        _initialInterval = initialInterval;
        _maxInterval = maxInterval;
        _logger = logger;
    }

    /// <summary>Returns once every server answers every value; throws <see cref="PropagationTimeoutException"/> at <paramref name="deadline"/>.</summary>
    public async Task WaitUntilVisibleAsync(
        string zone, IReadOnlyList<DnsServer> servers, IReadOnlyList<TxtRecordValue> expected, DateTimeOffset deadline, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var interval = _initialInterval;
        while (true)
        {
            var missing = await CheckOnceAsync(servers, expected, cancellationToken);
            if (missing.Count == 0)
            {
                return;
            }

            var remaining = deadline - _timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                throw new PropagationTimeoutException(zone, timeout, missing);
            }

            _logger.ChallengeRecordsNotYetVisible(zone, missing.Count, missing.Select(m => m.Server.ToString()).Distinct().ToList());
            await Task.Delay(interval < remaining ? interval : remaining, _timeProvider, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, _maxInterval.Ticks));
        }
    }

    /// <summary>One round: every server asked for every name (concurrently); what is missing, in a stable order.</summary>
    public async Task<IReadOnlyList<MissingTxtValue>> CheckOnceAsync(
        IReadOnlyList<DnsServer> servers, IReadOnlyList<TxtRecordValue> expected, CancellationToken cancellationToken)
    {
        var byName = expected.GroupBy(e => DnsName.Normalize(e.Name), StringComparer.Ordinal).ToList();
        var queries = new List<Task<IReadOnlyList<MissingTxtValue>>>();
        foreach (var server in servers)
        {
            foreach (var name in byName)
            {
                queries.Add(CheckNameAsync(server, name.Key, [.. name.Select(e => e.Value).Distinct(StringComparer.Ordinal)], cancellationToken));
            }
        }

        var results = await Task.WhenAll(queries);
        return [.. results.SelectMany(r => r)];
    }

    private async Task<IReadOnlyList<MissingTxtValue>> CheckNameAsync(DnsServer server, string name, IReadOnlyList<string> values, CancellationToken cancellationToken)
    {
        var client = _clients.GetOrAdd(server.Endpoint.ToString(), _ => CreateClient(server));
        IDnsQueryResponse response;
        try
        {
            response = await client.QueryAsync(new DnsQuestion(name, QueryType.TXT), cancellationToken);
        }
        catch (DnsResponseException e)
        {
            return [.. values.Select(v => new MissingTxtValue(server, name, v, $"query failed: {e.Message}"))];
        }

        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            return [.. values.Select(v => new MissingTxtValue(server, name, v, $"answered {response.Header.ResponseCode}"))];
        }

        // A value longer than 255 characters arrives as several strings of one record: join them back.
        var answered = response.Answers.TxtRecords()
            .Where(r => DnsName.Normalize(r.DomainName.Value) == name)
            .Select(r => string.Concat(r.Text))
            .ToHashSet(StringComparer.Ordinal);
        return [.. values.Where(v => !answered.Contains(v)).Select(v => new MissingTxtValue(server, name, v, null))];
    }

    private LookupClient CreateClient(DnsServer server) =>
        new(new LookupClientOptions(new NameServer(server.Endpoint))
        {
            Recursion = false,
            UseCache = false,
            UseTcpFallback = true,
            Retries = 1,
            Timeout = _queryTimeout,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
        });
}
