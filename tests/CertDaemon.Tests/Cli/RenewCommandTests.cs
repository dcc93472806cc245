using System.Text.Json;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// <c>renew</c>, <c>status</c>, <c>revoke</c> and <c>delete</c> as real processes against pebble, the Route53 emulator
/// and a real nginx, checked the way an operator would: exit codes, what they print, live files, the CA's own view.
/// </summary>
public sealed class RenewCommandTests(ITestOutputHelper output)
{
    private static readonly string[] Domains = ["example.test", "*.example.test"];

    [Fact]
    public async Task Renew_skips_what_is_not_due_force_renews_dry_run_changes_nothing_and_status_table_and_json_agree()
    {
        await using var testbed = await CliTestbed.StartAsync(Domains);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            Assert.Equal(0, (await testbed.RunAsync("issue", CliTestbed.CertificateName)).ExitCode);
            var s1 = IssueCommandTests.LiveSerial(testbed);

            // status: the table and --json tell the same story.
            var json = await testbed.RunAsync("status", "--json");
            var table = await testbed.RunAsync("status");
            Assert.Equal(0, json.ExitCode);
            Assert.Equal(0, table.ExitCode);
            using (var document = JsonDocument.Parse(json.Output))
            {
                var site = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == CliTestbed.CertificateName);
                Assert.Equal(s1, site.GetProperty("serial").GetString());
                var reason = site.GetProperty("nextRenewalReason").GetString()!;
                var next = site.GetProperty("nextRenewal").GetDateTimeOffset();
                Assert.Equal("one-third-lifetime", reason);
                Assert.Contains($"serial:       {s1}", table.Output, StringComparison.Ordinal);
                Assert.Contains($"next renewal: {next.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({reason}:", table.Output, StringComparison.Ordinal);
            }

            // Not due: nothing issued, exit 0, and it says why.
            var notDue = await testbed.RunAsync("renew");
            output.WriteLine(notDue.ToString());
            Assert.Equal(0, notDue.ExitCode);
            Assert.Contains($"{CliTestbed.CertificateName}: not due; renewal planned at", notDue.Output, StringComparison.Ordinal);
            Assert.Contains("one-third-lifetime", notDue.Output, StringComparison.Ordinal);
            Assert.Equal(s1, IssueCommandTests.LiveSerial(testbed));

            // --force: a new certificate, served.
            var forced = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
            output.WriteLine(forced.ToString());
            Assert.Equal(0, forced.ExitCode);
            var s2 = IssueCommandTests.LiveSerial(testbed);
            Assert.NotEqual(s1, s2);
            Assert.Contains(s2, forced.Output, StringComparison.Ordinal);
            Assert.Equal(s2, await Deployment.TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s2));

            // --dry-run: issued against the (test) directory and discarded: live files and state unchanged, DNS clean.
            var statePath = Path.Combine(testbed.StateDirectory, "certificates", CliTestbed.CertificateName + ".json");
            var stateBefore = await File.ReadAllTextAsync(statePath);
            var liveBefore = new DirectoryInfo(testbed.LiveDirectory).LinkTarget;
            var versionsBefore = Directory.GetFiles(Path.Combine(testbed.CertificateDirectory, "archive", CliTestbed.CertificateName)).Length;
            var dryRun = await testbed.RunAsync("renew", "--dry-run", "--log-format", "json");
            output.WriteLine(dryRun.ToString());
            Assert.Equal(0, dryRun.ExitCode);
            Assert.Contains("dry run succeeded", dryRun.Output, StringComparison.Ordinal);
            // Its own event: alerts and issuance histories counting CertificateIssued never see a discarded certificate.
            Assert.Contains("\"Name\":\"DryRunSucceeded\"", dryRun.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("\"Name\":\"CertificateIssued\"", dryRun.Error, StringComparison.Ordinal);
            Assert.Equal(stateBefore, await File.ReadAllTextAsync(statePath));
            Assert.Equal(liveBefore, new DirectoryInfo(testbed.LiveDirectory).LinkTarget);
            Assert.Equal(versionsBefore, Directory.GetFiles(Path.Combine(testbed.CertificateDirectory, "archive", CliTestbed.CertificateName)).Length);
            Assert.Equal(s2, IssueCommandTests.LiveSerial(testbed));
            Assert.Empty(testbed.TxtRecordSets());

            // Unknown names are a usage error that lists the known ones.
            var unknown = await testbed.RunAsync("renew", "nope");
            Assert.Equal(2, unknown.ExitCode);
            Assert.Contains("no certificate named 'nope'", unknown.Error, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Renew_of_a_failing_certificate_exits_1_saying_what_failed_and_what_was_left_untouched()
    {
        await using var testbed = await CliTestbed.StartAsync(Domains);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            Assert.Equal(0, (await testbed.RunAsync("issue", CliTestbed.CertificateName)).ExitCode);
            var s1 = IssueCommandTests.LiveSerial(testbed);
            testbed.Nginx.BreakConfiguration();

            var result = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
            output.WriteLine(result.ToString());
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("renew failed for site", result.Error, StringComparison.Ordinal);
            Assert.Equal(s1, IssueCommandTests.LiveSerial(testbed)); // nginx refused the new one: rolled back
            IssueCommandTests.AssertLivePairMatches(testbed);
        });
    }

    [Fact]
    public async Task Revoke_is_seen_by_the_ca_with_its_reason_and_delete_of_an_ad_hoc_certificate_removes_it()
    {
        await using var testbed = await CliTestbed.StartAsync(Domains);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            Assert.Equal(0, (await testbed.RunAsync("issue", CliTestbed.CertificateName)).ExitCode);
            var serial = IssueCommandTests.LiveSerial(testbed);

            var revoke = await testbed.RunAsync("revoke", CliTestbed.CertificateName, "--reason", "keyCompromise");
            output.WriteLine(revoke.ToString());
            Assert.Equal(0, revoke.ExitCode);
            var (status, reason) = await testbed.Pebble.GetCertificateStatusAsync(serial);
            Assert.Equal("Revoked", status);
            Assert.Equal(1, reason); // RFC 5280 keyCompromise
            using (var document = JsonDocument.Parse((await testbed.RunAsync("status", "--json")).Output))
            {
                var site = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == CliTestbed.CertificateName);
                Assert.Equal("revoked", site.GetProperty("nextRenewalReason").GetString());
            }

            // An ad-hoc certificate: issued, listed, deleted with its files, gone from status.
            var adHoc = await testbed.RunAsync("issue", "-d", "api.example.test", "--name", "api");
            output.WriteLine(adHoc.ToString());
            Assert.Equal(0, adHoc.ExitCode);
            Assert.Contains("api (ad-hoc)", (await testbed.RunAsync("status")).Output, StringComparison.Ordinal);

            var configured = await testbed.RunAsync("delete", CliTestbed.CertificateName);
            Assert.Equal(1, configured.ExitCode);
            Assert.Contains("remove it there", configured.Error, StringComparison.Ordinal);

            var delete = await testbed.RunAsync("delete", "api", "--purge");
            output.WriteLine(delete.ToString());
            Assert.Equal(0, delete.ExitCode);
            var after = await testbed.RunAsync("status");
            Assert.DoesNotContain("api", after.Output, StringComparison.Ordinal);
            Assert.Contains(CliTestbed.CertificateName, after.Output, StringComparison.Ordinal);
            Assert.False(Path.Exists(Path.Combine(testbed.CertificateDirectory, "live", "api")));
            Assert.False(Directory.Exists(Path.Combine(testbed.CertificateDirectory, "archive", "api")));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(testbed.CertificateDirectory, "live"), ".api.*"));
        });
    }
}
