using System.Diagnostics;
using System.Text.Json;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Cli;

namespace CertDaemon.Tests.Certbot;

/// <summary>
/// A host where the real certbot (Debian's package) created lineages against pebble, in its own config directory,
/// answering DNS-01 through manual hooks that write into challtestsrv (TESTBED.md "certbot"), and CertDaemon
/// configured on the same tree (CertificateDirectory = certbot's config directory) with Route53 emulated.
/// </summary>
internal sealed class CertbotTestbed : IAsyncDisposable
{
    private CertbotTestbed(string root, PebbleServer pebble, Route53Emulator route53)
    {
        Root = root;
        Pebble = pebble;
        Route53 = route53;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    /// <summary>certbot's <c>--config-dir</c> and CertDaemon's <c>CertificateDirectory</c> (what /etc/letsencrypt is on a host).</summary>
    public string CertbotDirectory => Path.Combine(Root, "letsencrypt");

    public string ConfigPath => Path.Combine(Root, "certdaemon.json");

    public string StateDirectory => Path.Combine(Root, "state");

    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
    };

    public static async Task<CertbotTestbed> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-certbot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        // No nonce rejection: certbot 2.1's badNonce retry fails with "AttributeError: can't set attribute" (seen here).
        var pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 0 });
        var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100) }, pebble.ChallTestSrv);
        route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        var testbed = new CertbotTestbed(root, pebble, route53);
        testbed.WriteHookScripts();
        return testbed;
    }

    /// <summary><c>certbot certonly --manual</c> with DNS-01 hooks; <paramref name="extra"/> adds options (<c>--key-type rsa</c>, <c>--deploy-hook ...</c>).</summary>
    public Task<CertbotRun> CreateLineageAsync(string name, string[] domains, params string[] extra) =>
        RunCertbotAsync([
            "certonly", "--manual", "--preferred-challenges", "dns",
            "--manual-auth-hook", Path.Combine(Root, "hooks", "auth.py"), "--manual-cleanup-hook", Path.Combine(Root, "hooks", "cleanup.py"),
            "--cert-name", name, .. domains.SelectMany(d => new[] { "-d", d }), .. extra]);

    /// <summary><c>certbot renew --cert-name NAME --force-renewal</c>, what a still-enabled certbot.timer does (forced, so it renews now).</summary>
    public Task<CertbotRun> RenewWithCertbotAsync(string name) =>
        RunCertbotAsync(["renew", "--cert-name", name, "--force-renewal", "--no-random-sleep-on-renew"]);

    /// <summary>certbot's full argument list for this tree and CA (what <see cref="RunCertbotAsync"/> runs).</summary>
    public string[] CertbotArguments(string[] arguments) =>
    [
        .. arguments,
        "--config-dir", CertbotDirectory, "--work-dir", Path.Combine(Root, "certbot-work"), "--logs-dir", Path.Combine(Root, "certbot-logs"),
        "--non-interactive", "--agree-tos", "--register-unsafely-without-email", "--server", Pebble.DirectoryUrl.ToString(),
    ];

    /// <summary>The environment certbot needs here: trust pebble's TLS root, and where the DNS hooks publish.</summary>
    public IReadOnlyDictionary<string, string> CertbotEnvironment => new Dictionary<string, string>
    {
        ["REQUESTS_CA_BUNDLE"] = Pebble.TlsRootPemPath,
        ["CHALLTESTSRV"] = Pebble.ChallTestSrvUrl.ToString().TrimEnd('/'),
    };

    /// <summary>A shell command line running certbot with <paramref name="arguments"/> (for scripts CertDaemon runs, e.g. as its nginx test).</summary>
    public string CertbotShellCommand(string[] arguments) =>
        string.Join(' ', CertbotEnvironment.Select(e => $"{e.Key}='{e.Value}'").Append("certbot").Concat(CertbotArguments(arguments).Select(a => $"'{a}'")));

    /// <summary>What an operator does to roll a lineage back by hand: repoint the four links <c>live/NAME</c> resolves to at <paramref name="version"/>.</summary>
    public void PointLiveLinksAt(string name, int version)
    {
        foreach (var part in new[] { "cert", "chain", "fullchain", "privkey" })
        {
            var link = Live(name, part);
            File.Delete(link);
            File.CreateSymbolicLink(link, $"../../archive/{name}/{part}{version}.pem");
        }
    }

    /// <summary>Nginx settings for <see cref="WriteConfiguration"/>; null: nginx disabled.</summary>
    public Dictionary<string, object?>? Nginx { get; set; }

    public async Task<CertbotRun> RunCertbotAsync(string[] arguments)
    {
        var psi = new ProcessStartInfo("certbot")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in CertbotArguments(arguments))
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in CertbotEnvironment)
        {
            psi.Environment[key] = value;
        }
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        var log = Path.Combine(Root, "certbot-logs", "letsencrypt.log");
        var tail = process.ExitCode != 0 && File.Exists(log) ? "\n--- letsencrypt.log (end) ---\n" + string.Join('\n', File.ReadAllLines(log).TakeLast(60)) : "";
        return new CertbotRun(process.ExitCode, await stdout + await stderr + tail);
    }

    /// <summary>Writes CertDaemon's configuration: this CA and zone, <see cref="Nginx"/> (default: no nginx), the given certificate entries.</summary>
    public void WriteConfiguration(params Dictionary<string, object?>[] certificates)
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
            ["CertificateDirectory"] = CertbotDirectory,
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:01:00" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{Pebble.DnsPort}" } },
            ["Nginx"] = Nginx ?? new Dictionary<string, object?> { ["Enabled"] = false },
            ["Certificates"] = certificates,
        };
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(config));
    }

    public Task<CliProcess.Result> RunAsync(params string[] arguments) =>
        CliProcess.RunAsync([.. arguments, "--config", ConfigPath], Environment, TimeSpan.FromMinutes(3));

    public string Archive(string name, string part, int version) => Path.Combine(CertbotDirectory, "archive", name, $"{part}{version}.pem");

    public string Live(string name, string part) => Path.Combine(CertbotDirectory, "live", name, part + ".pem");

    /// <summary>Every file in <c>archive/NAME</c> with its bytes (base64), for byte-for-byte comparisons.</summary>
    public SortedDictionary<string, string> ArchiveSnapshot(string name) =>
        new(Directory.EnumerateFiles(Path.Combine(CertbotDirectory, "archive", name))
            .ToDictionary(f => Path.GetFileName(f), f => Convert.ToBase64String(File.ReadAllBytes(f))), StringComparer.Ordinal);

    public string Logs => Pebble.Logs + string.Join("\n", Route53.PublishErrors);

    private void WriteHookScripts()
    {
        var hooks = Path.Combine(Root, "hooks");
        Directory.CreateDirectory(hooks);
        // certbot passes CERTBOT_DOMAIN and CERTBOT_VALIDATION; challtestsrv's /set-txt appends a value (wildcard + apex
        // share one name), /clear-txt removes them all.
        Write(Path.Combine(hooks, "auth.py"), """
            #!/usr/bin/env python3
            import json, os, urllib.request
            body = json.dumps({"host": "_acme-challenge." + os.environ["CERTBOT_DOMAIN"] + ".", "value": os.environ["CERTBOT_VALIDATION"]}).encode()
            urllib.request.urlopen(urllib.request.Request(os.environ["CHALLTESTSRV"] + "/set-txt", data=body, method="POST"))
            """);
        Write(Path.Combine(hooks, "cleanup.py"), """
            #!/usr/bin/env python3
            import json, os, urllib.request
            body = json.dumps({"host": "_acme-challenge." + os.environ["CERTBOT_DOMAIN"] + "."}).encode()
            urllib.request.urlopen(urllib.request.Request(os.environ["CHALLTESTSRV"] + "/clear-txt", data=body, method="POST"))
            """);
    }

    private static void Write(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public async ValueTask DisposeAsync()
    {
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>One certbot invocation: exit code and everything it printed.</summary>
internal sealed record CertbotRun(int ExitCode, string Output)
{
    public override string ToString() => $"certbot exit {ExitCode}\n{Output}";
}
