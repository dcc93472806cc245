using System.Text.Json.Nodes;
using CertDaemon.Sandbox;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Tests.Docs;

/// <summary>
/// Where the README's EC2 walkthrough runs in the tests: the README's own configuration block, with only what points
/// at the machine replaced (CA URL and TLS root, directories, hosted zone id, DNS resolver, nginx commands); pebble as
/// the CA, the Route53 emulator holding the zone of the README's domains, and a real nginx serving
/// <c>live/NAME/</c> - where certbot's files already are, as on the hosts the README's certbot section talks about.
/// </summary>
internal sealed class ReadmeTestbed : IAsyncDisposable
{
    private ReadmeTestbed(string root, PebbleServer pebble, Route53Emulator route53, NginxServer nginx, string certificateName, string zoneId)
    {
        ZoneId = zoneId;
        Root = root;
        Pebble = pebble;
        Route53 = route53;
        Nginx = nginx;
        CertificateName = certificateName;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    public NginxServer Nginx { get; }

    public string CertificateName { get; }

    /// <summary>The emulator's hosted zone for the README's domains (replaces the README's example zone id).</summary>
    public string ZoneId { get; }

    public string ConfigPath => Path.Combine(Root, "certdaemon.json");

    public string CertificateDirectory => Path.Combine(Root, "letsencrypt");

    public string Logs => Pebble.Logs + Nginx.Logs + string.Join("\n", Route53.PublishErrors);

    /// <summary>What the README's commands run with: the built <c>certdaemon</c> first on PATH, this configuration, the emulator's credentials.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["PATH"] = AppContext.BaseDirectory.TrimEnd('/') + ":" + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"),
        ["CERTDAEMON_CONFIG"] = ConfigPath,
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
    };

    public static async Task<ReadmeTestbed> StartAsync(JsonObject readmeConfiguration)
    {
        var certificate = readmeConfiguration["Certificates"]!.AsArray()[0]!.AsObject();
        var name = certificate["Name"]!.GetValue<string>();
        var domains = certificate["Domains"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();
        var zone = domains.First(d => !d.StartsWith('*'));

        var root = Path.Combine(Path.GetTempPath(), "certdaemon-readme-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var pebble = await PebbleServer.StartAsync(new PebbleOptions());
        var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(500) }, pebble.ChallTestSrv);
        var zoneId = route53.AddHostedZone(zone, nameServers: ["ns1." + zone]);
        CertbotLineage.Write(Path.Combine(root, "letsencrypt"), name, domains, TimeProvider.System);
        var live = Path.Combine(root, "letsencrypt", "live", name);
        var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            PrefixDirectory = Path.Combine(root, "nginx"),
            Sites = [new NginxSite([.. domains], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
        });
        var testbed = new ReadmeTestbed(root, pebble, route53, nginx, name, zoneId);

        var configuration = readmeConfiguration.DeepClone().AsObject();
        var acme = configuration["Acme"]!.AsObject();
        acme["DirectoryUrl"] = pebble.DirectoryUrl.ToString();
        acme["TrustedCaFile"] = pebble.TlsRootPemPath;
        configuration["StateDirectory"] = Path.Combine(root, "state");
        configuration["CertificateDirectory"] = testbed.CertificateDirectory;
        if (configuration["Route53"] is JsonObject route53Section && route53Section.ContainsKey("HostedZoneId"))
        {
            route53Section["HostedZoneId"] = zoneId;
        }

        configuration["Dns"] = new JsonObject { ["Nameservers"] = new JsonArray($"127.0.0.1:{pebble.DnsPort}") };
        configuration["Nginx"] = new JsonObject
        {
            ["TestCommand"] = new JsonArray([.. nginx.TestCommand.Select(a => JsonValue.Create(a))]),
            ["ReloadCommand"] = new JsonArray([.. nginx.ReloadCommand.Select(a => JsonValue.Create(a))]),
            ["VerifyAddress"] = nginx.Address,
        };
        await File.WriteAllTextAsync(testbed.ConfigPath, configuration.ToJsonString());
        return testbed;
    }

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
