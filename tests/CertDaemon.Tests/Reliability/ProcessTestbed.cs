using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertDaemon.Dns;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Cli;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// pebble + challtestsrv and the Route53 emulator for loops of real <c>certdaemon</c> processes (the program
/// <see cref="CliProcess"/> runs): writes configuration files (no nginx) and checks what the processes left behind.
/// </summary>
internal sealed class ProcessTestbed : IAsyncDisposable
{
    private ProcessTestbed(string root, PebbleServer pebble, Route53Emulator route53, string zoneId)
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

    public string Logs => Pebble.Logs + string.Join("\n", Route53.PublishErrors);

    /// <summary>What a process needs to reach the emulator: its static credentials and endpoint, nothing else of AWS.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
    };

    /// <summary>
    /// A new authorization (so a new TXT value) for every order, and removed values kept in DNS until their set is
    /// deleted (as Route53 never has a moment without the old values, see <see cref="Route53EmulatorOptions"/>).
    /// </summary>
    public static async Task<ProcessTestbed> StartAsync(string prefix)
    {
        var root = Directory.CreateTempSubdirectory(prefix).FullName;
        var pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 10, AuthorizationReusePercent = 0 });
        var route53 = await Route53Emulator.StartAsync(
            new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100), KeepRemovedTxtValuesUntilSetDeleted = true }, pebble.ChallTestSrv);
        var zoneId = route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        return new ProcessTestbed(root, pebble, route53, zoneId);
    }

    /// <summary>Writes <c>DIRECTORY/certdaemon.json</c> (state and certificates under DIRECTORY) and returns its path.</summary>
    public string WriteConfiguration(string directory, params (string Name, string Domain)[] certificates)
    {
        Directory.CreateDirectory(directory);
        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?>
            {
                ["DirectoryUrl"] = Pebble.DirectoryUrl.ToString(),
                ["Email"] = "ops@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = Pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = Path.Combine(directory, "state"),
            ["CertificateDirectory"] = Path.Combine(directory, "letsencrypt"),
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:00:45" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{Pebble.DnsPort}" } },
            ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
            ["Certificates"] = certificates.Select(c => new Dictionary<string, object?> { ["Name"] = c.Name, ["Domains"] = new[] { c.Domain }, ["Nginx"] = false }).ToArray(),
        };
        var path = Path.Combine(directory, "certdaemon.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    /// <summary>Runs <c>certdaemon ARGS --config CONFIG</c> against this testbed.</summary>
    public Task<CliProcess.Result> RunAsync(string config, params string[] arguments) =>
        CliProcess.RunAsync([.. arguments, "--config", config], Environment, TimeSpan.FromMinutes(3));

    /// <summary>Every TXT set left in the zone, one line each.</summary>
    public IEnumerable<string> TxtLeftovers() =>
        Route53.GetRecordSets(ZoneId).Where(r => r.Type == "TXT").Select(r => $"{r.Name} {string.Join(" ", r.Values)}");

    /// <summary>Every challenge journal entry left in the state directory of <paramref name="directory"/>, one line each.</summary>
    public static async Task<IEnumerable<string>> JournalLeftoversAsync(string directory) =>
        (await new FileChallengeJournal(Path.Combine(directory, "state")).ListAsync(CancellationToken.None)).Select(e => $"journal {e.TargetName} {e.Value}");

    /// <summary>
    /// Null when <c>live/NAME</c> holds a certificate for <paramref name="domain"/> that chains to pebble's root, is
    /// valid now, differs from <paramref name="previousSerial"/> and matches its private key; else what is wrong.
    /// </summary>
    public async Task<(string? Problem, string? Serial)> CheckLiveAsync(string directory, string name, string domain, string? previousSerial)
    {
        var live = Path.Combine(directory, "letsencrypt", "live", name);
        if (!File.Exists(Path.Combine(live, "cert.pem")))
        {
            return ($"{name}: no live/{name}/cert.pem", null);
        }

        using var leaf = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(live, "cert.pem")));
        var serial = leaf.SerialNumber;
        if (serial == previousSerial)
        {
            return ($"{name}: still serial {serial} from the previous round", serial);
        }

        if (!leaf.MatchesHostname(domain.Replace("*", "x", StringComparison.Ordinal), allowWildcards: true))
        {
            return ($"{name}: serial {serial} is not for {domain}", serial);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(await Pebble.GetRootAsync(0));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.ImportFromPemFile(Path.Combine(live, "chain.pem"));
        if (!chain.Build(leaf))
        {
            return ($"{name}: serial {serial} does not chain to pebble's root: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation))}", serial);
        }

        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(live, "privkey.pem")));
        return leaf.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo())
            ? (null, serial)
            : ($"{name}: privkey.pem does not match serial {serial}", serial);
    }

    public async ValueTask DisposeAsync()
    {
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
