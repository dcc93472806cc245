using System.Text.Json;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using CertDaemon.Testbed.Fleet;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// First boot of a fleet instance: the certificate one instance issued (and published) is pulled by a fresh instance's
/// <c>certdaemon sync</c> before its nginx starts, so nginx starts with the fleet's certificate.
/// </summary>
public sealed class FleetSyncTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_fresh_instance_syncs_the_fleets_certificate_before_its_nginx_starts()
    {
        await using var fleet = await FleetTestbed.StartAsync();
        var first = await fleet.AddInstanceAsync();
        var fresh = await fleet.AddInstanceAsync(startNginx: false);
        await FailureReport.WithLogsAsync(output, () => fleet.Logs + "\n" + fleet.Moto.Output, async () =>
        {
            // Before anything was published, sync says so and succeeds (the first instance's daemon issues).
            var empty = await fresh.RunAsync("sync");
            output.WriteLine(empty.ToString());
            Assert.Equal(0, empty.ExitCode);
            Assert.Contains("not in s3://", empty.Output, StringComparison.Ordinal);

            var issue = await first.RunAsync("issue", FleetTestbed.CertificateName);
            output.WriteLine(issue.ToString());
            Assert.Equal(0, issue.ExitCode);
            var serial = FleetLiveFiles.Serial(first);

            // The manifest names the version's files and hashes; the key is a separate object, never in the manifest.
            var manifestJson = await fleet.ManifestJsonAsync();
            Assert.NotNull(manifestJson);
            using var manifest = JsonDocument.Parse(manifestJson);
            Assert.Equal(serial, manifest.RootElement.GetProperty("serial").GetString());
            Assert.Equal(1, manifest.RootElement.GetProperty("version").GetInt32());
            Assert.DoesNotContain("PRIVATE KEY", manifestJson, StringComparison.Ordinal);
            var keys = await S3Buckets.KeysAsync(fleet.Moto.Endpoint, fleet.Bucket);
            output.WriteLine(string.Join("\n", keys));
            Assert.Contains(keys, k => k.EndsWith($"/1-{serial}/privkey.pem", StringComparison.Ordinal));
            Assert.Contains(keys, k => k.StartsWith("fleet/accounts/", StringComparison.Ordinal) && k.EndsWith("/private_key.pem", StringComparison.Ordinal));

            // The fresh instance: sync installs the files (certbot layout) though nginx is not running yet.
            Assert.False(Directory.Exists(fresh.LiveDirectory));
            var sync = await fresh.RunAsync("sync");
            output.WriteLine(sync.ToString());
            Assert.Equal(0, sync.ExitCode);
            Assert.Contains($"installed version 1 (serial {serial}", sync.Output, StringComparison.Ordinal);
            Assert.Contains("the daemon retries it", sync.Output, StringComparison.Ordinal);
            Assert.Equal(serial, FleetLiveFiles.Serial(fresh));
            FleetLiveFiles.AssertPairMatches(fresh);
            Assert.True(new FileInfo(Path.Combine(fresh.LiveDirectory, "privkey.pem")).LinkTarget is not null);

            // nginx starts on what sync installed.
            await fresh.StartNginxAsync();
            Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(fresh.Nginx!.Port, "www.example.test", serial));

            // A second sync costs one conditional read and changes nothing; the ACME account is the fleet's.
            var again = await fresh.RunAsync("sync");
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("already the fleet's version", again.Output, StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(Path.Combine(fresh.CertificateDirectory, "archive", FleetTestbed.CertificateName), "cert*.pem"));
            Assert.Equal(
                File.ReadAllText(Directory.GetFiles(Path.Combine(first.StateDirectory, "accounts"), "private_key.pem", SearchOption.AllDirectories).Single()),
                File.ReadAllText(Directory.GetFiles(Path.Combine(fresh.StateDirectory, "accounts"), "private_key.pem", SearchOption.AllDirectories).Single()));
            Assert.Empty(fleet.TxtRecordSets());
        });
    }
}
