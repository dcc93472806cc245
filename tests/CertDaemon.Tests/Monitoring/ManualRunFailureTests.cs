using System.Text.Json;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Monitoring;

/// <summary>
/// A manual <c>certdaemon issue NAME</c> that fails must reach an operator who watches logs or webhooks, exactly as a
/// failed check of the daemon does: <c>RenewalFailed</c> in the JSON log, one failure notification (not one per
/// retry), and one recovery notification when a later run succeeds.
/// </summary>
public sealed class ManualRunFailureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_failed_manual_issue_logs_RenewalFailed_and_notifies_once_and_the_next_success_notifies_recovery()
    {
        await using var webhook = new WebhookReceiver();
        // No authorization reuse: every run must publish its challenge record, so the injected fault always bites.
        await using var testbed = await CliTestbed.StartAsync(
            ["example.test"],
            config => config["Notifications"] = new Dictionary<string, object?> { ["WebhookUrl"] = webhook.Url.ToString() },
            pebbleOptions: new PebbleOptions { NonceRejectPercent = 20, AuthorizationReusePercent = 0 });
        Task<CliProcess.Result> Run(params string[] arguments) =>
            CliProcess.RunAsync([.. arguments, "--config", testbed.ConfigPath, "--log-format", "json"], testbed.Environment);

        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            var first = await Run("issue", CliTestbed.CertificateName);
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Empty(webhook.Received);

            // The IAM policy refuses the challenge record: the run fails before anything is stored.
            for (var attempt = 1; attempt <= 2; attempt++)
            {
                testbed.Route53.Faults.Enqueue(Route53Fault.AccessDenied, Route53Operation.ChangeResourceRecordSets);
                var failed = await Run("issue", CliTestbed.CertificateName);
                output.WriteLine(failed.ToString());
                Assert.Equal(1, failed.ExitCode);
                Assert.Contains("AccessDenied", failed.Error, StringComparison.Ordinal);
                var renewalFailed = Assert.Single(LogEvents(failed.Error), e => Name(e) == "RenewalFailed");
                Assert.Equal(CliTestbed.CertificateName, renewalFailed.GetProperty("CertificateName").GetString());
                Assert.Contains("AccessDenied", renewalFailed.GetProperty("Error").GetString(), StringComparison.Ordinal);
                Assert.True(renewalFailed.TryGetProperty("RetryAt", out _), "RenewalFailed carries its retry time");

                // The process drains its notifications before it exits: one failure, and the retry adds none.
                var failure = Assert.Single(webhook.Received);
                Assert.Equal("failure", failure.GetProperty("event").GetString());
                Assert.Equal(CliTestbed.CertificateName, failure.GetProperty("certificate").GetString());
            }

            var recovered = await Run("issue", CliTestbed.CertificateName);
            Assert.True(recovered.ExitCode == 0, recovered.ToString());
            Assert.Equal(["failure", "recovered"], webhook.Received.Select(n => n.GetProperty("event").GetString()));
        });
    }

    private static List<JsonElement> LogEvents(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private static string? Name(JsonElement e) =>
        e.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var name) ? name.GetString() : null;
}
