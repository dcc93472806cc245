using System.Text.Json;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// Everything an operator's box has, on loopback: a CA (pebble + challtestsrv), Route53 (our emulator, which publishes
/// into challtestsrv at INSYNC), and a real nginx serving <c>live/site/</c>. Writes a configuration file for the CLI.
/// </summary>
internal sealed class CliTestbed : IAsyncDisposable
{
    public const string CertificateName = "site";

    private CliTestbed(string root, PebbleServer pebble, Route53Emulator route53, NginxServer nginx)
    {
        Root = root;
        Pebble = pebble;
        Route53 = route53;
        Nginx = nginx;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    public NginxServer Nginx { get; }

    public string ConfigPath => Path.Combine(Root, "certdaemon.json");

    public string StateDirectory => Path.Combine(Root, "state");

    public string CertificateDirectory => Path.Combine(Root, "letsencrypt");

    public string LiveDirectory => Path.Combine(CertificateDirectory, "live", CertificateName);

    public string Logs => Pebble.Logs + Nginx.Logs + string.Join("\n", Route53.PublishErrors);

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
    };

    /// <summary>Starts everything; <c>live/site</c> holds a placeholder (an existing certificate) so nginx can start.</summary>
    /// <param name="domains">The names of the configured certificate <see cref="CertificateName"/> (first one: the placeholder's).</param>
    /// <param name="configure">Changes to the configuration file before it is written.</param>
    /// <param name="pebbleOptions">pebble's options (default: 20% nonce rejection, 5-year certificates).</param>
    /// <param name="inSyncDelay">How long Route53 changes stay PENDING (default 500 ms).</param>
    /// <param name="route53Credentials">The access keys Route53 accepts (default: the emulator's default key, which <see cref="Environment"/> gives).</param>
    public static async Task<CliTestbed> StartAsync(
        string[] domains, Action<Dictionary<string, object?>>? configure = null, PebbleOptions? pebbleOptions = null, TimeSpan? inSyncDelay = null,
        IReadOnlyList<Route53Credential>? route53Credentials = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var pebble = await PebbleServer.StartAsync(pebbleOptions ?? new PebbleOptions { NonceRejectPercent = 20 });
        var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = inSyncDelay ?? TimeSpan.FromMilliseconds(500), Credentials = route53Credentials ?? [Route53EmulatorOptions.DefaultCredential] }, pebble.ChallTestSrv);
        var zoneId = route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);

        var store = new CertificateStore(Path.Combine(root, "letsencrypt"), new CertDaemon.Storage.CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        using (var placeholder = new TestCertificates("Placeholder CA"))
        {
            await store.CommitAsync(CertificateName, placeholder.Issue(domains[0]), CancellationToken.None);
        }

        var live = Path.Combine(root, "letsencrypt", "live", CertificateName);
        var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite([.. domains], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
        });
        var testbed = new CliTestbed(root, pebble, route53, nginx) { ZoneId = zoneId };
        testbed.WriteConfiguration(domains, configure);
        return testbed;
    }

    public void WriteConfiguration(string[] domains, Action<Dictionary<string, object?>>? configure = null)
    {
        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?>
            {
                ["DirectoryUrl"] = Pebble.DirectoryUrl.ToString(),
                ["Email"] = "ops@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = Pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = StateDirectory,
            ["CertificateDirectory"] = CertificateDirectory,
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:01:00" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{Pebble.DnsPort}" } },
            ["Nginx"] = new Dictionary<string, object?>
            {
                ["TestCommand"] = Nginx.TestCommand,
                ["ReloadCommand"] = Nginx.ReloadCommand,
                ["VerifyAddress"] = Nginx.Address,
            },
            ["Certificates"] = new[]
            {
                new Dictionary<string, object?> { ["Name"] = CertificateName, ["Domains"] = domains },
            },
        };
        configure?.Invoke(config);
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(config));
    }

    public Task<CliProcess.Result> RunAsync(params string[] arguments) =>
        CliProcess.RunAsync([.. arguments, "--config", ConfigPath], Environment);

    public System.Diagnostics.Process Start(params string[] arguments) =>
        CliProcess.Start([.. arguments, "--config", ConfigPath], Environment);

    /// <summary>Starts <c>certdaemon run --log-format json</c> against this testbed.</summary>
    public DaemonProcess StartDaemon(IReadOnlyDictionary<string, string?>? environment = null, params string[] extraArguments) =>
        DaemonProcess.Start(ConfigPath, environment is null ? Environment : Environment.Concat(environment).ToDictionary(), extraArguments);

    /// <summary>Every TXT record set in the emulated zone (challenge leftovers would show here).</summary>
    public IReadOnlyList<Route53RecordSet> TxtRecordSets() =>
        [.. Route53.GetRecordSets(ZoneId).Where(r => r.Type == "TXT")];

    public string ZoneId { get; private set; } = "";

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
