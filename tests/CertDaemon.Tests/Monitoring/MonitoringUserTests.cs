using System.Text.Json;
using CertDaemon.Storage;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Monitoring;

/// <summary>
/// <c>status</c> and <c>metrics</c> as a monitoring user: not root, no write access anywhere, only in the group of
/// <c>StateDirectory/certificates</c> (as docs/operations.md sets it up). Runs through <c>setpriv</c> with a chosen
/// uid/gid, so nothing on the system changes. The certificate's files are laid out as certbot leaves them:
/// <c>live/</c> and <c>archive/</c> 0700, which the monitoring user cannot enter.
/// </summary>
public sealed class MonitoringUserTests : IDisposable
{
    private const int MonitoringUid = 65534; // nobody
    private const int MonitoringGid = 64999; // a group of its own, no name needed

    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-monitoring-user-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Status_json_and_check_work_for_a_user_in_the_certificates_group_without_write_access()
    {
        var (config, state, serial) = await PrepareAsync();

        var json = await RunAsMonitoringUserAsync("status", "--json", "--config", config);
        Assert.True(json.ExitCode == 0, json.ToString());
        using (var document = JsonDocument.Parse(json.Output))
        {
            var site = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal(serial, site.GetProperty("serial").GetString());
            Assert.Equal("ec256", site.GetProperty("keyType").GetString());
            Assert.Equal(Path.Combine(_root, "letsencrypt", "live", "site", "fullchain.pem"), site.GetProperty("files").GetProperty("fullChain").GetString());
        }

        var metrics = await RunAsMonitoringUserAsync("metrics", "--config", config);
        Assert.True(metrics.ExitCode == 0, metrics.ToString());
        Assert.Contains("certdaemon_target_current{name=\"site\",target=\"nginx\"} 1", metrics.Output, StringComparison.Ordinal);

        // live/ it may not enter is not "missing": no false CRITICAL for every monitoring user of a certbot layout.
        var check = await RunAsMonitoringUserAsync("status", "site", "--check", "--config", config);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.StartsWith("CERTDAEMON OK", check.Output, StringComparison.Ordinal);

        // Outside the group nothing is readable: UNKNOWN, not OK.
        var stranger = await CliProcess.RunProgramAsync("/usr/bin/setpriv", ["--reuid", MonitoringUid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--regid", "64998", "--clear-groups",
            CliProcess.ExecutablePath, "status", "--check", "--config", config]);
        Assert.True(stranger.ExitCode == 3, stranger.ToString());
        Assert.StartsWith("CERTDAEMON UNKNOWN", stranger.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(state));
    }

    /// <summary>A configuration and one certificate's state, with the modes docs/operations.md gives a monitoring group.</summary>
    private async Task<(string Config, string StatePath, string Serial)> PrepareAsync()
    {
        File.SetUnixFileMode(_root, (UnixFileMode)Convert.ToInt32("755", 8));
        var certificateDirectory = Path.Combine(_root, "letsencrypt");
        var lineages = new CertificateStore(certificateDirectory, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        StoredVersion stored;
        using (var ca = new Storage.TestCertificates())
        {
            stored = await lineages.CommitAsync("site", ca.Issue("example.test"), CancellationToken.None);
        }

        File.SetUnixFileMode(Path.Combine(certificateDirectory, "live"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(certificateDirectory, "archive"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stateDirectory = Path.Combine(_root, "state");
        var now = TimeProvider.System.GetUtcNow();
        var store = new CertificateStateStore(stateDirectory, TimeProvider.System, NullLogger.Instance);
        await store.SaveAsync(new CertificateState
        {
            Name = "site",
            Current = new CurrentCertificate(stored.Version, stored.Serial, ["example.test"], "ec256", now.AddDays(-1), now.AddDays(89), null, new Uri("https://ca.test/dir"), now.AddDays(-1)),
            Targets = new Dictionary<string, TargetState> { ["nginx"] = new() { HeldSerial = stored.Serial, HeldNotAfter = now.AddDays(89) } },
        }, CancellationToken.None);
        File.SetUnixFileMode(stateDirectory, (UnixFileMode)Convert.ToInt32("711", 8));
        var certificates = Path.Combine(stateDirectory, "certificates");
        await CliProcess.RunProgramAsync("/usr/bin/chgrp", ["-R", MonitoringGid.ToString(System.Globalization.CultureInfo.InvariantCulture), certificates]);
        File.SetUnixFileMode(certificates, (UnixFileMode)Convert.ToInt32("2750", 8));

        var config = await OfflineConfiguration.WriteAsync(_root, stateDirectory, certificateDirectory);
        File.SetUnixFileMode(config, (UnixFileMode)Convert.ToInt32("644", 8));
        return (config, store.PathOf("site"), stored.Serial);
    }

    private static Task<CliProcess.Result> RunAsMonitoringUserAsync(params string[] arguments) =>
        CliProcess.RunProgramAsync("/usr/bin/setpriv", [
            "--reuid", MonitoringUid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--regid", MonitoringGid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clear-groups",
            CliProcess.ExecutablePath, .. arguments]);
}
