using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Bench.Issuance;

/// <summary>
/// pebble + challtestsrv and the Route53 emulator (publishing into challtestsrv at INSYNC) with one hosted zone,
/// <c>example.test</c>: the CA and DNS every tool in a run is driven against.
/// </summary>
internal sealed class IssuanceTestbed : IAsyncDisposable
{
    public const string Zone = "example.test";

    private IssuanceTestbed(string root, PebbleServer pebble, Route53Emulator route53)
    {
        Root = root;
        Pebble = pebble;
        Route53 = route53;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    /// <summary>What every tool's process gets: credentials the emulator accepts and its endpoint.</summary>
    public IReadOnlyDictionary<string, string?> AwsEnvironment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
    };

    public static async Task<IssuanceTestbed> StartAsync(PebbleOptions pebbleOptions, TimeSpan inSyncDelay)
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var pebble = await PebbleServer.StartAsync(pebbleOptions);
        var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = inSyncDelay }, pebble.ChallTestSrv);
        route53.AddHostedZone(Zone, nameServers: ["ns1." + Zone]);
        return new IssuanceTestbed(root, pebble, route53);
    }

    /// <summary>Requests per Route53 operation so far (a run's count is the difference of two snapshots).</summary>
    public Dictionary<Route53Operation, long> Snapshot() =>
        Enum.GetValues<Route53Operation>().ToDictionary(o => o, o => Route53.GetStats(o).Requests);

    public async ValueTask DisposeAsync()
    {
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // certbot may still hold a log file; the temp directory is left behind.
        }
    }
}
