using CertDaemon.Storage;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// <c>certdaemon metrics</c> sees what <c>status</c> sees: a certificate whose <c>live/NAME/privkey.pem</c> link was
/// removed (nginx's next reload fails) is reported not ready by both, although its state says every target holds it.
/// </summary>
public sealed class MetricsCommandTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-metrics-command-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_removed_private_key_link_makes_the_certificate_not_ready_in_metrics_as_in_status()
    {
        var config = await PrepareAsync();
        var healthy = await CliProcess.RunAsync(["metrics", "--config", config]);
        output.WriteLine(healthy.ToString());
        Assert.True(healthy.ExitCode == 0, healthy.ToString());
        Assert.Contains("certdaemon_certificate_ready_status{name=\"site\",condition=\"True\"} 1", healthy.Output, StringComparison.Ordinal);

        var key = Path.Combine(_root, "letsencrypt", "live", "site", "privkey.pem");
        File.Delete(key);

        var status = await CliProcess.RunAsync(["status", "--config", config]);
        output.WriteLine(status.ToString());
        Assert.Contains("live files:   BROKEN: " + key, status.Output, StringComparison.Ordinal);
        var metrics = await CliProcess.RunAsync(["metrics", "--config", config]);
        output.WriteLine(metrics.ToString());
        Assert.True(metrics.ExitCode == 0, metrics.ToString());
        Assert.Contains("certdaemon_certificate_ready_status{name=\"site\",condition=\"True\"} 0", metrics.Output, StringComparison.Ordinal);
        Assert.Contains("certdaemon_certificate_ready_status{name=\"site\",condition=\"False\"} 1", metrics.Output, StringComparison.Ordinal);
        // Only the live files changed: the state still says nginx holds the live version.
        Assert.Contains("certdaemon_target_current{name=\"site\",target=\"nginx\"} 1", metrics.Output, StringComparison.Ordinal);
    }

    /// <summary>One certificate CertDaemon stored, with a state that says nginx holds it, and a configuration naming it.</summary>
    private async Task<string> PrepareAsync()
    {
        var certificateDirectory = Path.Combine(_root, "letsencrypt");
        var lineages = new CertificateStore(certificateDirectory, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        var now = TimeProvider.System.GetUtcNow();
        StoredVersion stored;
        using (var ca = new Storage.TestCertificates())
        {
            stored = await lineages.CommitAsync("site", ca.Issue(["example.test"], now.AddDays(-1)), CancellationToken.None);
        }

        var stateDirectory = Path.Combine(_root, "state");
        await new CertificateStateStore(stateDirectory, TimeProvider.System, NullLogger.Instance).SaveAsync(new CertificateState
        {
            Name = "site",
            Current = new CurrentCertificate(stored.Version, stored.Serial, ["example.test"], "ec256", now.AddDays(-1), stored.NotAfter, null, new Uri("https://ca.test/dir"), now),
            Targets = new Dictionary<string, TargetState> { ["nginx"] = new() { HeldSerial = stored.Serial, HeldNotAfter = stored.NotAfter } },
        }, CancellationToken.None);

        var config = await OfflineConfiguration.WriteAsync(_root, stateDirectory, certificateDirectory);
        return config;
    }
}
