using System.Diagnostics;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// <c>renew</c> when the state directory cannot be written (made immutable with <c>chattr +i</c>, which holds even
/// for root): a one-line error naming the file, exit 1, no stack trace, nothing live changed.
/// </summary>
public sealed class ReadOnlyStateRenewTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Renew_with_a_read_only_state_directory_fails_cleanly_naming_the_state_file_and_changes_nothing_live()
    {
        await using var testbed = await CliTestbed.StartAsync(["readonly.example.test"]);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            Assert.Equal(0, (await testbed.RunAsync("issue", CliTestbed.CertificateName)).ExitCode);
            var serial = IssueCommandTests.LiveSerial(testbed);
            var certificates = Path.Combine(testbed.StateDirectory, "certificates");
            await ChattrAsync("+i", certificates);
            CliProcess.Result renew;
            try
            {
                renew = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
            }
            finally
            {
                await ChattrAsync("-i", certificates);
            }

            output.WriteLine(renew.ToString());
            Assert.Equal(1, renew.ExitCode);
            Assert.Contains($"renew {CliTestbed.CertificateName} failed", renew.Error, StringComparison.Ordinal);
            Assert.Contains(certificates, renew.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", renew.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", renew.Error, StringComparison.Ordinal);
            Assert.Equal(serial, IssueCommandTests.LiveSerial(testbed));
        });
    }

    private static async Task ChattrAsync(string flag, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"chattr {flag} {path}: {error}");
    }
}
