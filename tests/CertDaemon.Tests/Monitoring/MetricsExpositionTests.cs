using CertDaemon.Kernel;
using System.Text.RegularExpressions;
using CertDaemon.Configuration;
using CertDaemon.Monitoring;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Monitoring;

/// <summary>
/// The exposition is valid Prometheus text (Prometheus's own <c>promtool check metrics</c> parses and lints it), has
/// every family of the contract, and says what the status says; the shipped alert rules load and, in promtool's rule
/// unit test, fire on lifetime fractions (a 6-day and a 90-day certificate).
/// </summary>
public sealed partial class MetricsExpositionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 5, 10, 0, 0, 0, TimeSpan.Zero);
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-metrics-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Exposition_parses_with_promtool_has_every_contract_family_and_reports_each_target()
    {
        var options = new CertDaemonOptions { StateDirectory = "/nonexistent-state" };
        var states = new CertificateStateStore(options.StateDirectory, TimeProvider.System, NullLogger.Instance);
        var reader = new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, TimeProvider.System);
        var site = new ManagedCertificate("site", ["example.com"], KeyType.Ec256, null, null, null, null, Nginx: true,
            new AcmOptions { Regions = ["us-east-1"] }, []);
        var issued = Now - TimeSpan.FromHours(1);
        var state = new CertificateState
        {
            Name = "site",
            Current = new CurrentCertificate(2, "0b02", ["example.com"], "ec256", issued, issued + TimeSpan.FromDays(90), null, new Uri("https://ca.test/dir"), issued),
            Targets = new Dictionary<string, TargetState>
            {
                ["nginx"] = new() { HeldSerial = "0a01", HeldNotAfter = issued + TimeSpan.FromDays(30), ConsecutiveFailures = 1, LastAttemptAt = issued },
                ["acm:us-east-1"] = new() { HeldSerial = "0b02", HeldNotAfter = issued + TimeSpan.FromDays(90) },
            },
            Checks = new CheckHistory(Now, FailedRuns: 3, FailingSince: issued),
        };
        var fresh = new ManagedCertificate("fresh", ["fresh.example.com"], KeyType.Ec256, null, null, null, null, Nginx: true, null, []);

        var text = await MetricsExposition.RenderAsync([reader.Describe(site, state, Now), reader.Describe(fresh, null, Now)], CancellationToken.None);

        var file = Path.Combine(_root, "certdaemon.prom");
        await File.WriteAllTextAsync(file, text);
        var check = await CliProcess.RunProgramAsync("/bin/sh", ["-c", $"promtool check metrics < '{file}'"]);
        Assert.True(check.ExitCode == 0, $"{check}\n{text}");
        var contract = ContractFamilies();
        Assert.Equal(8, contract.Count);
        Assert.Equal(contract.Order(), MetricsExposition.Families.Order());
        foreach (var family in contract)
        {
            Assert.Contains($"# TYPE {family} ", text, StringComparison.Ordinal);
        }

        Assert.Contains("certdaemon_target_current{name=\"site\",target=\"nginx\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("certdaemon_target_current{name=\"site\",target=\"acm:us-east-1\"} 1", text, StringComparison.Ordinal);
        Assert.Contains($"certdaemon_target_expiration_timestamp_seconds{{name=\"site\",target=\"nginx\"}} {(issued + TimeSpan.FromDays(30)).ToUnixTimeSeconds()}", text, StringComparison.Ordinal);
        Assert.Contains("certdaemon_certificate_ready_status{name=\"site\",condition=\"False\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("certdaemon_renewal_failures_total{name=\"site\"} 3", text, StringComparison.Ordinal);
        Assert.Contains($"certdaemon_last_check_timestamp_seconds{{name=\"site\"}} {Now.ToUnixTimeSeconds()}", text, StringComparison.Ordinal);
        // Never issued: no expiry (absent, not 0), but a ready status and a planned renewal.
        Assert.DoesNotContain("certdaemon_certificate_expiration_timestamp_seconds{name=\"fresh\"}", text, StringComparison.Ordinal);
        Assert.Contains("certdaemon_certificate_ready_status{name=\"fresh\",condition=\"True\"} 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shipped_alert_rules_load_and_fire_on_lifetime_fractions_in_promtools_unit_test()
    {
        var rules = Path.Combine(RepositoryRoot.Path, "deploy", "prometheus", "certdaemon.rules.yml");
        var check = await CliProcess.RunProgramAsync("promtool", ["check", "rules", rules]);
        Assert.True(check.ExitCode == 0, check.ToString());
        var test = await CliProcess.RunProgramAsync("promtool", ["test", "rules", Path.Combine(RepositoryRoot.Path, "deploy", "prometheus", "certdaemon.rules.test.yml")]);
        Assert.True(test.ExitCode == 0, test.ToString());
        foreach (var family in ContractFamilies().Where(f => f != "certdaemon_certificate_ready_status"))
        {
            Assert.Contains(family, await File.ReadAllTextAsync(rules), StringComparison.Ordinal);
        }
    }

    /// <summary>The families the operator contract names (its "Monitoring" table); docs/operations.md must list each.</summary>
    private static List<string> ContractFamilies()
    {
        List<string> families =
        [
            "certdaemon_certificate_expiration_timestamp_seconds", "certdaemon_certificate_not_before_timestamp_seconds",
            "certdaemon_certificate_renewal_timestamp_seconds", "certdaemon_certificate_ready_status",
            "certdaemon_target_expiration_timestamp_seconds", "certdaemon_target_current",
            "certdaemon_renewal_failures_total", "certdaemon_last_check_timestamp_seconds",
        ];
        var documented = DocumentedFamily().Matches(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "operations.md"))).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Subset(documented, families.ToHashSet());
        return families;
    }

    [GeneratedRegex(@"`(certdaemon_[a-z_]+)\{")]
    private static partial Regex DocumentedFamily();
}
