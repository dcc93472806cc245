using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// What an operator sees when a command fails: the cause in a few lines and where to look, never a stack trace
/// (that is for <c>--verbose</c>, or the Debug level).
/// </summary>
public sealed class ErrorOutputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Missing_aws_credentials_give_a_short_error_without_stack_frames_and_verbose_shows_them()
    {
        await using var testbed = await CliTestbed.StartAsync(["nocreds.example.test"]);
        var home = Path.Combine(testbed.Root, "home");
        Directory.CreateDirectory(home);
        // No credentials anywhere: no AWS_* keys, no ~/.aws, no instance metadata.
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_ROUTE_53"] = testbed.Route53.Endpoint.ToString(),
        };
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            var result = await CliProcess.RunAsync(["issue", CliTestbed.CertificateName, "--config", testbed.ConfigPath], environment);
            output.WriteLine(result.ToString());
            Assert.Equal(1, result.ExitCode);
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
            Assert.Contains("AWS credentials", result.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("--verbose", result.Error, StringComparison.Ordinal);
            // Besides the log events (one line each): the logged exception's cause, the hint, the command's error line
            // and what was left untouched. Before, the trace alone was dozens of lines.
            var beyondEvents = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('[')).ToList();
            Assert.True(beyondEvents.Count <= 4, $"{beyondEvents.Count} lines besides the log events");

            var verbose = await CliProcess.RunAsync(["issue", CliTestbed.CertificateName, "--verbose", "--config", testbed.ConfigPath], environment);
            output.WriteLine(verbose.ToString());
            Assert.Equal(1, verbose.ExitCode);
            Assert.Contains("   at ", verbose.Error, StringComparison.Ordinal);
        });
    }
}
