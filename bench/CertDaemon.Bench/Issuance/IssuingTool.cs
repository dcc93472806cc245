using System.Text.Json;
using CertDaemon.Bench.Infrastructure;

namespace CertDaemon.Bench.Issuance;

/// <summary>One ACME client driven as an operator would run it: a process per issuance, against the shared testbed.</summary>
internal abstract class IssuingTool(string name, IssuanceTestbed testbed)
{
    public string Name { get; } = name;

    protected IssuanceTestbed Testbed { get; } = testbed;

    protected string Home => Path.Combine(Testbed.Root, Name);

    /// <summary>Issues one certificate for <paramref name="domains"/> named <paramref name="lineage"/>; the process's outcome.</summary>
    public abstract Task<ProcessRun> IssueAsync(string lineage, IReadOnlyList<string> domains, CancellationToken cancellationToken);

    /// <summary>A shell script running this program's Route53 hook, for the peers' hook options.</summary>
    protected string WriteHookScript(string fileName, string body)
    {
        Directory.CreateDirectory(Home);
        var path = Path.Combine(Home, fileName);
        File.WriteAllText(path, "#!/bin/sh\nexport BENCH_HOOK_ZONE=" + IssuanceTestbed.Zone + "\n" + body.Replace("BENCH", BenchContext.BenchPath, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}

/// <summary><c>certdaemon issue -d ... --name N</c> (ad-hoc), nginx deployment off: issuance only.</summary>
internal sealed class CertDaemonTool : IssuingTool
{
    private readonly string _config;
    private readonly string _program;

    /// <param name="name">The tool's label and home directory (two builds side by side: <c>certdaemon-native</c>).</param>
    /// <param name="program">The executable; the default is <see cref="BenchContext.CertDaemonPath"/>.</param>
    public CertDaemonTool(IssuanceTestbed testbed, int maxConcurrentIssuances = 2, string name = "certdaemon", string? program = null) : base(name, testbed)
    {
        _program = program ?? BenchContext.CertDaemonPath;
        Directory.CreateDirectory(Home);
        _config = Path.Combine(Home, "certdaemon.json");
        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?>
            {
                ["DirectoryUrl"] = testbed.Pebble.DirectoryUrl.ToString(),
                ["Email"] = "bench@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = testbed.Pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = Path.Combine(Home, "state"),
            ["CertificateDirectory"] = Path.Combine(Home, "letsencrypt"),
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:02:00" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{testbed.Pebble.DnsPort}" } },
            ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
            ["Renewal"] = new Dictionary<string, object?> { ["MaxConcurrentIssuances"] = maxConcurrentIssuances },
        };
        File.WriteAllText(_config, JsonSerializer.Serialize(config));
    }

    public string ConfigPath => _config;

    /// <summary>Where certdaemon sends Route53 requests instead of the emulator itself (e.g. a proxy in front of it).</summary>
    public Uri? Route53EndpointOverride { get; set; }

    public override Task<ProcessRun> IssueAsync(string lineage, IReadOnlyList<string> domains, CancellationToken cancellationToken) =>
        ProcessRun.RunAsync(
            _program,
            ["issue", .. domains.SelectMany(d => new[] { "-d", d }), "--name", lineage, "--config", _config],
            Route53EndpointOverride is { } endpoint
                ? new Dictionary<string, string?>(Testbed.AwsEnvironment) { ["AWS_ENDPOINT_URL_ROUTE_53"] = endpoint.ToString() }
                : Testbed.AwsEnvironment, TimeSpan.FromMinutes(5), measure: true, cancellationToken: cancellationToken);
}

/// <summary>lego (Debian) with <c>--dns exec</c>, its hook calling the emulator through <see cref="Route53Hook"/>.</summary>
internal sealed class LegoTool : IssuingTool
{
    private readonly string _hook;

    public LegoTool(IssuanceTestbed testbed) : base("lego", testbed) =>
        _hook = WriteHookScript("hook.sh", "exec BENCH route53-hook \"$@\"");

    public override Task<ProcessRun> IssueAsync(string lineage, IReadOnlyList<string> domains, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?>(Testbed.AwsEnvironment)
        {
            ["EXEC_PATH"] = _hook,
            ["EXEC_PROPAGATION_TIMEOUT"] = "120",
            ["EXEC_POLLING_INTERVAL"] = "1",
            // exec is a sequential provider (one name at a time, 60 s apart by default): no pause between names.
            ["EXEC_SEQUENCE_INTERVAL"] = "0",
            ["LEGO_CA_CERTIFICATES"] = Testbed.Pebble.TlsRootPemPath,
        };
        return ProcessRun.RunAsync(
            "lego",
            ["--server", Testbed.Pebble.DirectoryUrl.ToString(), "--accept-tos", "--email", "bench@example.test", "--path", Home,
                "--key-type", "ec256", "--dns", "exec", "--dns.resolvers", $"127.0.0.1:{Testbed.Pebble.DnsPort}", "--dns.disable-cp",
                .. domains.SelectMany(d => new[] { "--domains", d }), "run"],
            environment, TimeSpan.FromMinutes(20), measure: true, cancellationToken: cancellationToken);
    }
}

/// <summary>certbot (Debian) <c>certonly --manual</c> with auth/cleanup hooks calling the emulator through <see cref="Route53Hook"/>.</summary>
internal sealed class CertbotTool : IssuingTool
{
    private readonly string _authHook;
    private readonly string _cleanupHook;

    public CertbotTool(IssuanceTestbed testbed) : base("certbot", testbed)
    {
        _authHook = WriteHookScript("auth.sh", "exec BENCH route53-hook present \"_acme-challenge.$CERTBOT_DOMAIN\" \"$CERTBOT_VALIDATION\"");
        _cleanupHook = WriteHookScript("cleanup.sh", "exec BENCH route53-hook cleanup \"_acme-challenge.$CERTBOT_DOMAIN\" \"$CERTBOT_VALIDATION\"");
    }

    public override Task<ProcessRun> IssueAsync(string lineage, IReadOnlyList<string> domains, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?>(Testbed.AwsEnvironment) { ["REQUESTS_CA_BUNDLE"] = Testbed.Pebble.TlsRootPemPath };
        return ProcessRun.RunAsync(
            "certbot",
            ["certonly", "--manual", "--preferred-challenges", "dns", "--manual-auth-hook", _authHook, "--manual-cleanup-hook", _cleanupHook,
                "--server", Testbed.Pebble.DirectoryUrl.ToString(), "--config-dir", Path.Combine(Home, "config"), "--work-dir", Path.Combine(Home, "work"),
                "--logs-dir", Path.Combine(Home, "logs"), "--agree-tos", "-m", "bench@example.test", "--non-interactive", "--key-type", "ecdsa",
                "--cert-name", lineage, "--force-renewal", .. domains.SelectMany(d => new[] { "-d", d })],
            environment, TimeSpan.FromMinutes(20), measure: true, cancellationToken: cancellationToken);
    }
}
