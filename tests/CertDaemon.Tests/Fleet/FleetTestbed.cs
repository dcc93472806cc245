using System.Text.Json;
using CertDaemon.Storage;
using CertDaemon.Testbed.Fleet;
using CertDaemon.Testbed.Moto;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// A fleet on loopback: one CA (pebble + challtestsrv), one Route53 (our emulator), one S3 (moto behind a
/// <see cref="TcpGate"/> a test can close) with a fresh bucket, and any number of instances, each with its own state
/// directory, certificate directory, configuration file and real nginx.
/// </summary>
internal sealed class FleetTestbed : IAsyncDisposable
{
    public const string CertificateName = "site";
    public static readonly string[] Domains = ["example.test", "*.example.test"];
    private readonly List<FleetTestInstance> _instances = [];

    private FleetTestbed(string root, PebbleServer pebble, Route53Emulator route53, MotoServer moto, TcpGate s3, string bucket, string zoneId)
    {
        Root = root;
        Pebble = pebble;
        Route53 = route53;
        Moto = moto;
        S3 = s3;
        Bucket = bucket;
        ZoneId = zoneId;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    public MotoServer Moto { get; }

    /// <summary>What the instances use as S3 (close it to take S3 away).</summary>
    public TcpGate S3 { get; }

    public string Bucket { get; }

    public string ZoneId { get; }

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public IReadOnlyList<FleetTestInstance> Instances => _instances;

    public string Logs => Pebble.Logs + string.Join("\n", Route53.PublishErrors) + string.Concat(_instances.Select(i => i.Logs));

    public static async Task<FleetTestbed> StartAsync(PebbleOptions? pebbleOptions = null, TimeSpan? leaseDuration = null, TimeSpan? inSyncDelay = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-fleet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var pebble = await PebbleServer.StartAsync(pebbleOptions ?? new PebbleOptions { NonceRejectPercent = 20 });
        var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = inSyncDelay ?? TimeSpan.FromMilliseconds(300) }, pebble.ChallTestSrv);
        var zoneId = route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        var moto = await MotoServer.StartAsync();
        var gate = TcpGate.Start(moto.Endpoint);
        var bucket = await S3Buckets.CreateAsync(moto.Endpoint);
        return new FleetTestbed(root, pebble, route53, moto, gate, bucket, zoneId) { LeaseDuration = leaseDuration ?? TimeSpan.FromSeconds(15) };
    }

    /// <summary>A new instance with its own directories. With <paramref name="startNginx"/>, a placeholder certificate is committed and nginx started.</summary>
    public async Task<FleetTestInstance> AddInstanceAsync(bool startNginx = true, TimeSpan? checkInterval = null)
    {
        var directory = Path.Combine(Root, "instance-" + _instances.Count);
        Directory.CreateDirectory(directory);
        var instance = new FleetTestInstance(this, directory, checkInterval ?? TimeSpan.FromMinutes(1));
        _instances.Add(instance);
        if (startNginx)
        {
            var store = new CertificateStore(instance.CertificateDirectory, new CertDaemon.Storage.CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
            using (var placeholder = new TestCertificates("Placeholder CA"))
            {
                await store.CommitAsync(CertificateName, placeholder.Issue(Domains[0]), CancellationToken.None);
            }

            await instance.StartNginxAsync();
        }
        else
        {
            instance.WriteConfiguration();
        }

        return instance;
    }

    /// <summary>The manifest as moto has it (read directly, not through the gate).</summary>
    public Task<string?> ManifestJsonAsync() => S3Buckets.ReadAsync(Moto.Endpoint, Bucket, "fleet/certificates/site/manifest.json");

    public IReadOnlyList<Route53RecordSet> TxtRecordSets() => [.. Route53.GetRecordSets(ZoneId).Where(r => r.Type == "TXT")];

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await S3.DisposeAsync();
        await Moto.DisposeAsync();
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }

    internal Dictionary<string, object?> Configuration(FleetTestInstance instance) => new()
    {
        ["Acme"] = new Dictionary<string, object?>
        {
            ["DirectoryUrl"] = Pebble.DirectoryUrl.ToString(),
            ["Email"] = "ops@example.test",
            ["AcceptTermsOfService"] = true,
            ["TrustedCaFile"] = Pebble.TlsRootPemPath,
        },
        ["StateDirectory"] = instance.StateDirectory,
        ["CertificateDirectory"] = instance.CertificateDirectory,
        ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:01:00" },
        ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{Pebble.DnsPort}" } },
        ["Renewal"] = new Dictionary<string, object?> { ["CheckInterval"] = instance.CheckInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture) },
        ["Nginx"] = instance.Nginx is { } nginx
            ? new Dictionary<string, object?> { ["TestCommand"] = nginx.TestCommand, ["ReloadCommand"] = nginx.ReloadCommand, ["VerifyAddress"] = nginx.Address }
            // First boot: nginx is not running yet, so its reload fails (as `systemctl reload nginx` does).
            : new Dictionary<string, object?> { ["TestCommand"] = new[] { "true" }, ["ReloadCommand"] = new[] { "false" }, ["VerifyAddress"] = null },
        ["Fleet"] = new Dictionary<string, object?>
        {
            ["Bucket"] = Bucket,
            ["Prefix"] = "fleet/",
            ["Region"] = "us-east-1",
            ["LeaseDuration"] = LeaseDuration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        },
        ["Certificates"] = new[] { new Dictionary<string, object?> { ["Name"] = CertificateName, ["Domains"] = Domains } },
    };

    internal IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
        ["AWS_ENDPOINT_URL_S3"] = S3.Endpoint.ToString(),
    };
}

/// <summary>One instance of a <see cref="FleetTestbed"/>: directories, configuration, nginx, and its daemon when started.</summary>
internal sealed class FleetTestInstance(FleetTestbed fleet, string root, TimeSpan checkInterval) : IAsyncDisposable
{
    public string Root => root;

    public string StateDirectory => Path.Combine(root, "state");

    public string CertificateDirectory => Path.Combine(root, "letsencrypt");

    public string LiveDirectory => Path.Combine(CertificateDirectory, "live", FleetTestbed.CertificateName);

    public string ConfigPath => Path.Combine(root, "certdaemon.json");

    public TimeSpan CheckInterval => checkInterval;

    public NginxServer? Nginx { get; private set; }

    public DaemonProcess? Daemon { get; private set; }

    public string Logs => $"\n--- {Path.GetFileName(root)} ---\n" + (Nginx?.Logs ?? "") + "\n" + (Daemon?.Output ?? "");

    public void WriteConfiguration() => File.WriteAllText(ConfigPath, JsonSerializer.Serialize(fleet.Configuration(this)));

    public async Task StartNginxAsync()
    {
        Nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite([.. FleetTestbed.Domains], Path.Combine(LiveDirectory, "fullchain.pem"), Path.Combine(LiveDirectory, "privkey.pem"))],
        });
        WriteConfiguration();
    }

    public DaemonProcess StartDaemon(IReadOnlyDictionary<string, string?>? environment = null) =>
        Daemon = DaemonProcess.Start(ConfigPath, environment is null ? fleet.Environment : fleet.Environment.Concat(environment).ToDictionary());

    public Task<CliProcess.Result> RunAsync(params string[] arguments) => CliProcess.RunAsync([.. arguments, "--config", ConfigPath], fleet.Environment);

    /// <summary>Runs the CLI with ACM (region us-east-1 configured for the certificate) reached at <paramref name="acm"/>.</summary>
    public Task<CliProcess.Result> RunWithAcmAsync(Uri acm, params string[] arguments) =>
        CliProcess.RunAsync([.. arguments, "--config", ConfigPath], new Dictionary<string, string?>(fleet.Environment) { ["AWS_ENDPOINT_URL_ACM"] = acm.ToString() });

    /// <summary>Adds ACM region us-east-1 to the certificate's configuration.</summary>
    public void WithAcm()
    {
        var configuration = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(ConfigPath))!;
        var certificates = JsonSerializer.Deserialize<List<Dictionary<string, object?>>>(configuration["Certificates"].GetRawText())!;
        certificates[0]["Acm"] = new Dictionary<string, object?> { ["Regions"] = new[] { "us-east-1" } };
        var rewritten = configuration.ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        rewritten["Certificates"] = certificates;
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(rewritten));
    }

    public async ValueTask DisposeAsync()
    {
        if (Daemon is not null)
        {
            await Daemon.DisposeAsync();
        }

        if (Nginx is not null)
        {
            await Nginx.DisposeAsync();
        }
    }
}
