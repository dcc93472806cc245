using System.Text.Json;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Monitoring;

/// <summary>
/// A renewal that nginx refuses (broken configuration) must look like a failure everywhere an operator or a monitor
/// looks: exit code, JSON log, status, status --check; ACM still takes the new version; after the fix the next check
/// deploys it without ordering another certificate.
/// </summary>
public sealed class UnnoticedExpiryEndToEndTests(ITestOutputHelper output)
{
    private const string Region = "us-east-1";

    [Fact]
    public async Task A_renewal_nginx_refuses_fails_loudly_acm_still_takes_it_and_the_fixed_nginx_gets_it_at_the_next_check()
    {
        await using var moto = await MotoServer.StartAsync();
        await using var webhook = new WebhookReceiver();
        var metricsDirectory = Directory.CreateTempSubdirectory("certdaemon-textfile-").FullName;
        var metrics = Path.Combine(metricsDirectory, "certdaemon.prom");
        await using var testbed = await CliTestbed.StartAsync(["example.test"], config =>
        {
            var certificate = ((Dictionary<string, object?>[])config["Certificates"]!)[0];
            certificate["Acm"] = new Dictionary<string, object?> { ["Regions"] = new[] { Region } };
            config["Metrics"] = new Dictionary<string, object?> { ["TextfilePath"] = metrics };
            config["Notifications"] = new Dictionary<string, object?> { ["WebhookUrl"] = webhook.Url.ToString() };
        });
        var environment = new Dictionary<string, string?>(testbed.Environment) { ["AWS_ENDPOINT_URL_ACM"] = moto.Endpoint.ToString() };
        Task<CliProcess.Result> Run(params string[] arguments) => CliProcess.RunAsync([.. arguments, "--config", testbed.ConfigPath], environment);

        await FailureReport.WithLogsAsync(output, () => testbed.Logs + moto.Output, async () =>
        {
            Assert.Equal(0, (await Run("issue", CliTestbed.CertificateName)).ExitCode);
            var s1 = IssueCommandTests.LiveSerial(testbed);
            var s1NotAfter = Certificate(await Status(Run)).GetProperty("notAfter").GetDateTimeOffset();
            var versions = ArchiveVersions(testbed);

            testbed.Nginx.BreakConfiguration();
            var renew = await Run("renew", "--force", CliTestbed.CertificateName, "--log-format", "json");
            output.WriteLine(renew.ToString());

            // Exit 1, naming the target and its cause; never "renewed".
            Assert.Equal(1, renew.ExitCode);
            Assert.DoesNotContain(": renewed", renew.Output, StringComparison.Ordinal);
            Assert.Contains("not deployed to nginx", renew.Error, StringComparison.Ordinal);
            Assert.Contains("configuration test failed", renew.Error, StringComparison.Ordinal);
            var events = LogEvents(renew.Error);
            var deploymentFailed = Assert.Single(events, e => Name(e) == "DeploymentFailed");
            Assert.Equal("nginx", deploymentFailed.GetProperty("Target").GetString());
            var renewalFailed = Assert.Single(events, e => Name(e) == "RenewalFailed");
            Assert.Contains("nginx", renewalFailed.GetProperty("Error").GetString(), StringComparison.Ordinal);

            // status: the live version is the new one; nginx still serves the previous serial with its own not-after.
            var site = Certificate(await Status(Run));
            var s2 = site.GetProperty("serial").GetString()!;
            Assert.NotEqual(s1, s2);
            Assert.False(site.GetProperty("ready").GetBoolean());
            Assert.Contains("nginx", site.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            Assert.True(site.GetProperty("deployRetryAt").GetDateTimeOffset() < TimeProvider.System.GetUtcNow().AddMinutes(2), "retried at the first backoff step");
            var nginx = Target(site, "nginx");
            Assert.Equal(s1, nginx.GetProperty("serial").GetString());
            Assert.False(nginx.GetProperty("holdsCurrent").GetBoolean());
            Assert.Equal(s1NotAfter, nginx.GetProperty("notAfter").GetDateTimeOffset());
            Assert.Equal(s1, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s1));
            Assert.Equal(s1NotAfter, site.GetProperty("servedNotAfter").GetDateTimeOffset());

            // ACM took the new version, whatever nginx did.
            var acm = Target(site, "acm:" + Region);
            Assert.True(acm.GetProperty("holdsCurrent").GetBoolean());
            using (var client = AcmClient.Create(Region, moto.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(100, 100)))
            {
                var detail = await client.DescribeCertificateAsync(acm.GetProperty("arn").GetString()!, CancellationToken.None);
                Assert.True(AcmSerial.AreEqual(s2, detail.Serial), $"ACM holds {detail.Serial}, not {s2}");
            }

            // The metrics file says so, and one failure notification went out (not one per retry), without the URL's token in any log.
            Assert.Contains("certdaemon_target_current{name=\"site\",target=\"nginx\"} 0", await File.ReadAllTextAsync(metrics), StringComparison.Ordinal);
            Assert.Contains("certdaemon_target_current{name=\"site\",target=\"acm:us-east-1\"} 1", await File.ReadAllTextAsync(metrics), StringComparison.Ordinal);
            var failure = Assert.Single(await webhook.WaitForAsync(1, TimeSpan.FromSeconds(10)));
            Assert.Equal("failure", failure.GetProperty("event").GetString());
            Assert.Equal(["nginx"], failure.GetProperty("failedTargets").EnumerateArray().Select(t => t.GetString()));
            Assert.Contains("nginx", failure.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("secret-token", renew.Error + renew.Output, StringComparison.Ordinal);

            var check = await Run("status", "--check");
            output.WriteLine(check.ToString());
            Assert.InRange(check.ExitCode, 1, 2);
            Assert.StartsWith("CERTDAEMON WARNING: site: nginx holds " + s1, check.Output, StringComparison.Ordinal);

            // Fixed: the next check deploys the same version (no new order), and all is well again.
            testbed.Nginx.RestoreConfiguration();
            var next = await Run("renew", CliTestbed.CertificateName);
            output.WriteLine(next.ToString());
            Assert.Equal(0, next.ExitCode);
            Assert.Equal(s2, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s2));
            Assert.Equal(versions + 1, ArchiveVersions(testbed));
            site = Certificate(await Status(Run));
            Assert.True(site.GetProperty("ready").GetBoolean());
            Assert.Equal(s2, Target(site, "nginx").GetProperty("serial").GetString());
            Assert.Contains("certdaemon_target_current{name=\"site\",target=\"nginx\"} 1", await File.ReadAllTextAsync(metrics), StringComparison.Ordinal);
            var notifications = await webhook.WaitForAsync(2, TimeSpan.FromSeconds(10));
            Assert.Equal(["failure", "recovered"], notifications.Select(n => n.GetProperty("event").GetString()));
            Assert.Equal(s2, notifications[1].GetProperty("serial").GetString());
            var ok = await Run("status", "--check");
            Assert.Equal(0, ok.ExitCode);
            Assert.StartsWith("CERTDAEMON OK: 1 certificate live and deployed", ok.Output, StringComparison.Ordinal);
        });
        Directory.Delete(metricsDirectory, recursive: true);
    }

    private static async Task<JsonElement> Status(Func<string[], Task<CliProcess.Result>> run)
    {
        var status = await run(["status", "--json"]);
        Assert.Equal(0, status.ExitCode);
        using var document = JsonDocument.Parse(status.Output);
        return document.RootElement.Clone();
    }

    private static JsonElement Certificate(JsonElement statuses) =>
        statuses.EnumerateArray().Single(e => e.GetProperty("name").GetString() == CliTestbed.CertificateName);

    private static JsonElement Target(JsonElement certificate, string name) =>
        certificate.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == name);

    private static int ArchiveVersions(CliTestbed testbed) =>
        Directory.GetFiles(Path.Combine(testbed.CertificateDirectory, "archive", CliTestbed.CertificateName), "cert*.pem").Length;

    private static List<JsonElement> LogEvents(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string? Name(JsonElement e) =>
        e.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var name) ? name.GetString() : null;
}
