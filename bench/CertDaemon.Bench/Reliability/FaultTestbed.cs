using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Dns;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// pebble + challtestsrv and the Route53 emulator for the fault kinds of the adversarial pass: writes a configuration
/// per "host" directory (no nginx), runs <c>certdaemon</c> processes against it, and counts what they left behind.
/// </summary>
internal sealed class FaultTestbed : IAsyncDisposable
{
    private FaultTestbed(string root, PebbleServer pebble, Route53Emulator route53, string zoneId)
    {
        Root = root;
        Pebble = pebble;
        Route53 = route53;
        ZoneId = zoneId;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    public string ZoneId { get; }

    public IReadOnlyDictionary<string, string?> AwsEnvironment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
    };

    /// <summary>A new authorization (a new TXT value) per order; removed values stay in DNS until their set goes (as in Route53).</summary>
    public static async Task<FaultTestbed> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("certdaemon-bench-faults-").FullName;
        var pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 10, AuthorizationReusePercent = 0 });
        var route53 = await Route53Emulator.StartAsync(
            new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100), KeepRemovedTxtValuesUntilSetDeleted = true }, pebble.ChallTestSrv);
        var zoneId = route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        return new FaultTestbed(root, pebble, route53, zoneId);
    }

    /// <summary>Writes <c>HOST/certdaemon.json</c> (state and certificates under HOST); returns its path.</summary>
    public string WriteConfiguration(string host, IEnumerable<(string Name, string Domain)> certificates, Uri? directoryUrl = null)
    {
        Directory.CreateDirectory(host);
        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?>
            {
                ["DirectoryUrl"] = (directoryUrl ?? Pebble.DirectoryUrl).ToString(),
                ["Email"] = "bench@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = Pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = Path.Combine(host, "state"),
            ["CertificateDirectory"] = Path.Combine(host, "letsencrypt"),
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:01:00" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{Pebble.DnsPort}" } },
            ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
            ["Certificates"] = certificates.Select(c => new Dictionary<string, object?> { ["Name"] = c.Name, ["Domains"] = new[] { c.Domain }, ["Nginx"] = false }).ToArray(),
        };
        var path = Path.Combine(host, "certdaemon.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    /// <summary><c>certdaemon ARGS --config CONFIG</c>, timed.</summary>
    public Task<ProcessRun> RunAsync(string config, params string[] arguments) =>
        ProcessRun.RunAsync(BenchContext.CertDaemonPath, [.. arguments, "--config", config], AwsEnvironment, TimeSpan.FromMinutes(5), measure: true);

    public int TxtSetsLeft() => Route53.GetRecordSets(ZoneId).Count(r => r.Type == "TXT");

    public int RefusedStaleWrites() => Route53.ChangeLog.Count(c => c.ErrorCode == "InvalidChangeBatch");

    public static async Task<int> JournalEntriesLeftAsync(string host) =>
        (await new FileChallengeJournal(Path.Combine(host, "state")).ListAsync(CancellationToken.None)).Count;

    /// <summary>The serial of <c>live/NAME/cert.pem</c> under HOST, or null.</summary>
    public static string? LiveSerial(string host, string name)
    {
        var path = Path.Combine(host, "letsencrypt", "live", name, "cert.pem");
        if (!File.Exists(path))
        {
            return null;
        }

        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        return certificate.SerialNumber;
    }

    public async ValueTask DisposeAsync()
    {
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
