using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// A run killed (SIGKILL) after publishing its challenge records leaves them journaled in the state directory;
/// the next run of that certificate removes them before publishing its own.
/// </summary>
public sealed class CrashedIssueTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Records_of_a_killed_run_are_removed_by_the_next_run()
    {
        await using var testbed = await CliTestbed.StartAsync(["crash.example.test"]);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            var zone = testbed.Route53.AddHostedZone("crash.example.test", nameServers: ["ns1.example.test"]);
            testbed.Route53.InSyncDelay = TimeSpan.FromSeconds(30);
            using (var doomed = testbed.Start("issue", CliTestbed.CertificateName))
            {
                _ = doomed.StandardOutput.ReadToEndAsync();
                _ = doomed.StandardError.ReadToEndAsync();
                var deadline = TimeProvider.System.GetUtcNow().AddSeconds(30);
                while (!testbed.Route53.ChangeLog.Any(e => e.Accepted && e.HostedZoneId == zone) && TimeProvider.System.GetUtcNow() < deadline)
                {
                    await Task.Delay(50);
                }

                doomed.Kill(); // SIGKILL while waiting for INSYNC: no finally block runs, nothing is cleaned up
                await doomed.WaitForExitAsync();
            }

            Assert.Contains(testbed.Route53.GetRecordSets(zone), r => r.Type == "TXT");
            Assert.True(File.Exists(Path.Combine(testbed.StateDirectory, "dns-journal.json")), "the values were journaled before publishing");

            testbed.Route53.InSyncDelay = TimeSpan.FromMilliseconds(300);
            var next = await testbed.RunAsync("issue", CliTestbed.CertificateName);
            output.WriteLine(next.ToString());

            Assert.Equal(0, next.ExitCode);
            Assert.DoesNotContain(testbed.Route53.GetRecordSets(zone), r => r.Type == "TXT");
            Assert.False(File.Exists(Path.Combine(testbed.StateDirectory, "dns-journal.json")), "the journal is empty again");
            Assert.Contains("ChallengeJournalRecovering", next.Error, StringComparison.Ordinal);
        });
    }
}
