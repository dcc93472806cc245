using CertDaemon.Tests.Certbot;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// What nginx reads, broken behind CertDaemon's back (a deleted <c>live/NAME</c> link, a deleted <c>privkey.pem</c>
/// link, a private key made world-readable): <c>status</c> says so (and <c>status --check</c> is CRITICAL), and the next
/// check restores it from the archive (the version the state names, complete and verified) and logs it, with real
/// files, a real nginx (<c>nginx -t</c> fails while broken, passes after) and, for a certbot lineage, the real certbot.
/// </summary>
public sealed class BrokenLiveFilesTests(ITestOutputHelper output)
{
    public static TheoryData<string> Breakages => ["live-link-deleted", "privkey-link-deleted", "key-world-readable"];

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task A_broken_live_file_is_reported_by_status_and_restored_by_the_next_check(string breakage)
    {
        await using var testbed = await CliTestbed.StartAsync(["broken.example.test"]);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            Assert.Equal(0, (await testbed.RunAsync("issue", CliTestbed.CertificateName)).ExitCode);
            var serial = IssueCommandTests.LiveSerial(testbed);
            var live = testbed.LiveDirectory;
            var key = new FileInfo(Path.Combine(live, "privkey.pem")).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
            var broken = breakage switch
            {
                "live-link-deleted" => live,
                "privkey-link-deleted" => Path.Combine(live, "privkey.pem"),
                _ => key,
            };
            switch (breakage)
            {
                case "live-link-deleted":
                    File.Delete(live);
                    break;
                case "privkey-link-deleted":
                    File.Delete(Path.Combine(live, "privkey.pem"));
                    break;
                default:
                    File.SetUnixFileMode(key, (UnixFileMode)Convert.ToInt32("644", 8));
                    break;
            }

            var nginxTest = testbed.Nginx.TestCommand;
            if (breakage != "key-world-readable")
            {
                // What nginx's next reload or restart meets.
                Assert.NotEqual(0, (await CliProcess.RunProgramAsync(nginxTest[0], nginxTest.Skip(1))).ExitCode);
            }

            var status = await testbed.RunAsync("status");
            output.WriteLine(status.ToString());
            Assert.Contains($"live files:   BROKEN: {broken}", status.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("every target holds it", status.Output, StringComparison.Ordinal);
            var check = await testbed.RunAsync("status", "--check");
            output.WriteLine(check.ToString());
            Assert.Equal(2, check.ExitCode);

            var renew = await testbed.RunAsync("renew", CliTestbed.CertificateName);
            output.WriteLine(renew.ToString());
            Assert.Equal(0, renew.ExitCode);
            Assert.Contains(breakage == "key-world-readable" ? "PermissionsTightened" : "LiveRepaired", renew.Error, StringComparison.Ordinal);

            Assert.Equal(serial, IssueCommandTests.LiveSerial(testbed));
            // Others' bits and group write go; group read stays (certbot keeps it for a reader group such as ssl-cert).
            Assert.Equal(
                UnixFileMode.UserRead | UnixFileMode.UserWrite | (breakage == "key-world-readable" ? UnixFileMode.GroupRead : 0),
                File.GetUnixFileMode(key));
            Assert.Equal(0, (await CliProcess.RunProgramAsync(nginxTest[0], nginxTest.Skip(1))).ExitCode);
            var after = await testbed.RunAsync("status");
            Assert.DoesNotContain("BROKEN", after.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await testbed.RunAsync("status", "--check")).ExitCode);
            Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "broken.example.test", serial));
        });
    }

    [Fact]
    public async Task A_damaged_fullchain_is_reported_by_status_and_the_renew_it_names_replaces_it()
    {
        await using var testbed = await CliTestbed.StartAsync(["damaged.example.test"]);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            Assert.Equal(0, (await testbed.RunAsync("issue", CliTestbed.CertificateName)).ExitCode);
            var serial = IssueCommandTests.LiveSerial(testbed);
            var fullchain = Path.Combine(testbed.LiveDirectory, "fullchain.pem");
            var archived = new FileInfo(fullchain).ResolveLinkTarget(returnFinalTarget: true)!.FullName;

            // Still PEM-framed, the DER inside cut short (a disk or copy error): nginx refuses it at its next reload.
            var pem = File.ReadAllText(archived);
            var body = pem.IndexOf('\n', StringComparison.Ordinal) + 1;
            File.WriteAllText(archived, pem[..body] + pem[(body + 200)..]);
            var nginxTest = testbed.Nginx.TestCommand;
            Assert.NotEqual(0, (await CliProcess.RunProgramAsync(nginxTest[0], nginxTest.Skip(1))).ExitCode);

            var status = await testbed.RunAsync("status");
            output.WriteLine(status.ToString());
            Assert.Contains($"live files:   BROKEN: {fullchain} is not a readable certificate", status.Output, StringComparison.Ordinal);
            Assert.Equal(2, (await testbed.RunAsync("status", "--check")).ExitCode);

            // The archive holds the damaged copy too: nothing to restore from, and the warning says what replaces it.
            var check = await testbed.RunAsync("renew", CliTestbed.CertificateName);
            output.WriteLine(check.ToString());
            Assert.Contains("LiveNotRestored", check.Error, StringComparison.Ordinal);
            Assert.Contains($"renew {CliTestbed.CertificateName} --force", check.Error, StringComparison.Ordinal);

            var renew = await testbed.RunAsync("renew", CliTestbed.CertificateName, "--force");
            output.WriteLine(renew.ToString());
            Assert.Equal(0, renew.ExitCode);
            var renewed = IssueCommandTests.LiveSerial(testbed);
            Assert.NotEqual(serial, renewed);
            IssueCommandTests.AssertLivePairMatches(testbed);
            Assert.Equal(0, (await CliProcess.RunProgramAsync(nginxTest[0], nginxTest.Skip(1))).ExitCode);
            Assert.DoesNotContain("BROKEN", (await testbed.RunAsync("status")).Output, StringComparison.Ordinal);
            Assert.Equal(renewed, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "damaged.example.test", renewed));
        });
    }

    [Fact]
    [Trait("Category", "Certbot")]
    public async Task A_deleted_link_in_certbot_s_own_live_directory_is_reported_and_put_back_where_certbot_had_it()
    {
        const string name = "kept";
        await using var testbed = await CertbotTestbed.StartAsync();
        var created = await testbed.CreateLineageAsync(name, ["kept.example.test"]);
        Assert.True(created.ExitCode == 0, created.ToString() + testbed.Logs);
        testbed.WriteConfiguration(new Dictionary<string, object?> { ["Name"] = name, ["Domains"] = new[] { "kept.example.test" } });

        // The first check adopts certbot's live certificate (not due: nothing is ordered).
        var first = await testbed.RunAsync("renew", name);
        output.WriteLine(first.ToString());
        Assert.Equal(0, first.ExitCode);

        var link = testbed.Live(name, "privkey");
        File.Delete(link);
        var status = await testbed.RunAsync("status");
        output.WriteLine(status.ToString());
        Assert.Contains($"live files:   BROKEN: {link} is missing", status.Output, StringComparison.Ordinal);

        var renew = await testbed.RunAsync("renew", name);
        output.WriteLine(renew.ToString());
        Assert.Equal(0, renew.ExitCode);
        Assert.Contains("LiveRepaired", renew.Error, StringComparison.Ordinal);
        Assert.Equal($"../../archive/{name}/privkey1.pem", new FileInfo(link).LinkTarget);
        Assert.Null(new DirectoryInfo(Path.Combine(testbed.CertbotDirectory, "live", name)).LinkTarget);
        Assert.DoesNotContain("BROKEN", (await testbed.RunAsync("status")).Output, StringComparison.Ordinal);

        var certificates = await testbed.RunCertbotAsync(["certificates", "--cert-name", name]);
        Assert.Equal(0, certificates.ExitCode);
        Assert.DoesNotContain("INVALID", certificates.Output, StringComparison.Ordinal);
    }
}
