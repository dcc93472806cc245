using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Tests.Dns;

/// <summary>
/// The in-process Route53 emulator (checked against moto by Route53ClientMotoTests/Route53EmulatorTests) and the
/// product's own Route53 client talking to it over HTTP, signed, with fast retries.
/// </summary>
internal sealed class EmulatedRoute53 : IAsyncDisposable
{
    private EmulatedRoute53(Route53Emulator emulator, Route53Client client)
    {
        Emulator = emulator;
        Client = client;
    }

    public Route53Emulator Emulator { get; }

    public Route53Client Client { get; }

    /// <param name="publishTo">The challtestsrv an INSYNC change is pushed into; null: none.</param>
    /// <param name="pendingPolls">GetChange answers PENDING this many times per change before INSYNC; null: never INSYNC.</param>
    /// <param name="maxAttempts">Attempts per call of the client (its retry budget).</param>
    public static async Task<EmulatedRoute53> StartAsync(ChallTestSrvClient? publishTo = null, int? pendingPolls = 0, int maxAttempts = 3)
    {
        var emulator = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromHours(1) }, publishTo);
        emulator.PendingPolls = pendingPolls;
        var client = Route53Client.Create(
            emulator.Endpoint,
            new BasicAWSCredentials(Route53EmulatorOptions.DefaultCredential.AccessKeyId, Route53EmulatorOptions.DefaultCredential.SecretAccessKey),
            new AwsRequestRateLimiter(1000, 1000),
            AwsRetryOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = maxAttempts });
        return new EmulatedRoute53(emulator, client);
    }

    /// <summary>ChangeResourceRecordSets requests to <paramref name="zoneId"/>, accepted or not, in arrival order.</summary>
    public List<Route53ChangeBatchLogEntry> ChangesTo(string zoneId) => [.. Emulator.ChangeLog.Where(e => e.HostedZoneId == zoneId)];

    /// <summary>The ids GetChange was asked for, in arrival order.</summary>
    public List<string> GetChangeRequests() =>
        [.. Emulator.Requests.Where(r => r.Operation == Route53Operation.GetChange).Select(r => r.ResourceId)];

    /// <summary>ListHostedZonesByName requests as (dnsname, maxitems).</summary>
    public List<(string? DnsName, int MaxItems)> ListHostedZonesByNameRequests() =>
        [.. Emulator.Requests
            .Where(r => r.Operation == Route53Operation.ListHostedZonesByName)
            .Select(r => (r.Query.GetValueOrDefault("dnsname"), r.Query.TryGetValue("maxitems", out var max) ? int.Parse(max, System.Globalization.CultureInfo.InvariantCulture) : 100))];

    /// <summary>The TXT set at <paramref name="name"/> in the zone as committed, or null.</summary>
    public Route53RecordSet? FindTxt(string zoneId, string name)
    {
        var wire = name.EndsWith('.') ? name : name + ".";
        return Emulator.GetRecordSets(zoneId).SingleOrDefault(s => s.Type == "TXT" && string.Equals(s.Name, wire, StringComparison.OrdinalIgnoreCase));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}
