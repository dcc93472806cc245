using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Bench.Issuance;

/// <summary>
/// <c>CertDaemon.Bench route53-hook present|cleanup FQDN VALUE</c>: what lego's and certbot's Route53 providers do for
/// one challenge record, as a separate process their exec/manual hooks call, over the product's signed Route53 client
/// against <c>AWS_ENDPOINT_URL_ROUTE_53</c> (the same emulator CertDaemon uses).
/// </summary>
/// <remarks>
/// present: ListHostedZonesByName (the zone name comes from <c>BENCH_HOOK_ZONE</c>, standing in for lego's SOA lookup,
/// which costs no Route53 call), ListResourceRecordSets (existing values, to merge), one UPSERT, then GetChange until
/// INSYNC on CertDaemon's own schedule (0.5 s doubling to 5 s; lego's provider polls every 4 s, certbot's every 5 s, so
/// this favours the peers). cleanup: the same lookup, then UPSERT of the remaining values or DELETE, without waiting
/// (certbot's provider does not wait on cleanup; lego's does - again in the peers' favour).
/// </remarks>
internal static class Route53Hook
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 3 || args[0] is not ("present" or "cleanup"))
        {
            await Console.Error.WriteLineAsync("usage: CertDaemon.Bench route53-hook present|cleanup FQDN VALUE");
            return 2;
        }

        var fqdn = args[1].TrimEnd('.') + ".";
        var value = "\"" + args[2] + "\"";
        var zoneName = Environment.GetEnvironmentVariable("BENCH_HOOK_ZONE") ?? throw new InvalidOperationException("BENCH_HOOK_ZONE is not set");
        using var factory = new Route53ClientFactory(
            new Route53ClientFactoryOptions(), AwsRequestRateLimiter.Shared, TimeProvider.System, NullLogger<Route53ClientFactory>.Instance);
        var client = factory.Create();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var zones = await client.ListHostedZonesByNameAsync(zoneName, 1, cts.Token);
        var zone = zones.FirstOrDefault(z => string.Equals(z.Name.TrimEnd('.'), zoneName.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"no hosted zone {zoneName}");
        var page = await client.ListResourceRecordSetsAsync(zone.Id, fqdn, "TXT", 1, cts.Token);
        var existing = page.RecordSets.FirstOrDefault(r => r.Type == "TXT" && string.Equals(r.Name, fqdn, StringComparison.OrdinalIgnoreCase));
        var values = existing?.Values.ToList() ?? [];

        ChangeBatch batch;
        if (args[0] == "present")
        {
            if (!values.Contains(value, StringComparer.Ordinal))
            {
                values.Add(value);
            }

            batch = new ChangeBatch([new ResourceRecordSetChange(ChangeAction.Upsert, new ResourceRecordSet(fqdn, "TXT", 60, values))]);
        }
        else
        {
            if (existing is null || !values.Remove(value))
            {
                return 0;
            }

            batch = values.Count == 0
                ? new ChangeBatch([new ResourceRecordSetChange(ChangeAction.Delete, existing)])
                : new ChangeBatch([new ResourceRecordSetChange(ChangeAction.Upsert, existing with { Values = values })]);
        }

        var change = await client.ChangeResourceRecordSetsAsync(zone.Id, batch, cts.Token);
        if (args[0] == "cleanup")
        {
            return 0;
        }

        var interval = TimeSpan.FromMilliseconds(500);
        while (change.Status != ChangeStatus.InSync)
        {
            await Task.Delay(interval, cts.Token);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            change = await client.GetChangeAsync(change.Id, cts.Token);
        }

        return 0;
    }
}
