using System.Text.Json;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// The fleet store (moto's S3 behind a closable gate) is unreachable: the installed certificate keeps being served,
/// the check fails (exit 1), and <c>status</c>, the metrics (command and textfile) say so, naming S3; the next
/// successful check clears the error.
/// </summary>
public sealed class FleetStoreOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task An_unreachable_store_keeps_serving_and_shows_in_status_metrics_and_the_textfile()
    {
        await using var fleet = await FleetTestbed.StartAsync();
        var instance = await fleet.AddInstanceAsync();
        var textfile = Path.Combine(instance.Root, "certdaemon.prom");
        var configuration = fleet.Configuration(instance);
        configuration["Metrics"] = new Dictionary<string, object?> { ["TextfilePath"] = textfile };
        File.WriteAllText(instance.ConfigPath, JsonSerializer.Serialize(configuration));
        await FailureReport.WithLogsAsync(output, () => fleet.Logs + "\n" + fleet.Moto.Output, async () =>
        {
            var issue = await instance.RunAsync("issue", FleetTestbed.CertificateName);
            Assert.Equal(0, issue.ExitCode);
            var serial = FleetLiveFiles.Serial(instance);

            await fleet.S3.CloseAsync();
            var renew = await instance.RunAsync("renew", FleetTestbed.CertificateName);
            output.WriteLine(renew.ToString());
            Assert.Equal(1, renew.ExitCode);
            Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(instance.Nginx!.Port, "www.example.test", serial));

            var status = await instance.RunAsync("status", "--json");
            output.WriteLine(status.ToString());
            using (var json = JsonDocument.Parse(status.Output))
            {
                var site = json.RootElement.EnumerateArray().Single();
                Assert.Contains("s3://", site.GetProperty("lastError").GetString(), StringComparison.Ordinal);
                Assert.Equal(serial, site.GetProperty("serial").GetString());
            }

            var metrics = await instance.RunAsync("metrics");
            output.WriteLine(metrics.ToString());
            Assert.Contains("certdaemon_renewal_failures_total{name=\"site\"} 1", metrics.Output, StringComparison.Ordinal);
            Assert.Contains("certdaemon_certificate_ready_status{name=\"site\",condition=\"True\"} 1", metrics.Output, StringComparison.Ordinal);
            var prom = File.ReadAllText(textfile);
            Assert.Contains("certdaemon_renewal_failures_total{name=\"site\"} 1", prom, StringComparison.Ordinal);

            // Back: the next check clears the error; the failure count stays (a counter).
            fleet.S3.Open();
            var again = await instance.RunAsync("renew", FleetTestbed.CertificateName);
            output.WriteLine(again.ToString());
            Assert.Equal(0, again.ExitCode);
            var cleared = await instance.RunAsync("status", "--json");
            using var after = JsonDocument.Parse(cleared.Output);
            Assert.False(after.RootElement.EnumerateArray().Single().TryGetProperty("lastError", out var error) && error.ValueKind == JsonValueKind.String);
        });
    }
}
