using CertDaemon.Testbed.Acme;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// A <c>live/NAME</c> the commit would refuse to replace (a link pointing outside the tree, a plain directory of
/// plain files) is refused before anything is ordered: <c>issue</c>, <c>renew --force</c> and the daemon fail with a
/// message naming the path, and the CA (pebble, behind a recording proxy) sees no new order.
/// </summary>
public sealed class UnsafeLiveTests(ITestOutputHelper output)
{
    public static TheoryData<string> Shapes => ["link-outside-the-tree", "plain-directory"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task An_unsafe_live_entry_is_refused_before_the_ca_sees_an_order_by_issue_renew_and_the_daemon(string shape)
    {
        await using var testbed = await CliTestbed.StartAsync(["unsafe.example.test"]);
        await using var proxy = await AcmeExtensionsProxy.StartAsync(testbed.Pebble);
        testbed.WriteConfiguration(["unsafe.example.test"], c => ((Dictionary<string, object?>)c["Acme"]!)["DirectoryUrl"] = proxy.DirectoryUrl.ToString());
        var outside = Path.Combine(testbed.Root, "outside");
        Directory.CreateDirectory(outside);
        var live = testbed.LiveDirectory;
        var placeholder = File.ReadAllText(Path.Combine(live, "fullchain.pem"));
        File.Delete(live);
        if (shape == "plain-directory")
        {
            Directory.CreateDirectory(live);
            File.WriteAllText(Path.Combine(live, "fullchain.pem"), placeholder);
        }
        else
        {
            File.WriteAllText(Path.Combine(outside, "fullchain.pem"), placeholder);
            File.CreateSymbolicLink(live, outside);
        }

        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            foreach (var command in new[] { new[] { "issue", CliTestbed.CertificateName }, ["renew", "--force", CliTestbed.CertificateName] })
            {
                var result = await testbed.RunAsync(command);
                output.WriteLine(result.ToString());
                Assert.Equal(1, result.ExitCode);
                Assert.Contains($"{live} cannot be replaced by a new version, so nothing was ordered from the CA", result.Error, StringComparison.Ordinal);
                Assert.Empty(proxy.Orders);
            }

            await using (var daemon = testbed.StartDaemon())
            {
                var failed = await daemon.WaitForEventAsync("RenewalFailed", timeout: TimeSpan.FromSeconds(60));
                Assert.Contains(live, failed.Property("Error"), StringComparison.Ordinal);
                Assert.Empty(proxy.Orders);
            }

            // What the operator was told to do: move it aside. Then the same configuration orders (and the proxy
            // records it), so the empty list above was not a proxy that records nothing.
            Directory.Move(live, Path.Combine(testbed.Root, "set-aside"));
            var issued = await testbed.RunAsync("issue", CliTestbed.CertificateName);
            Assert.True(issued.ExitCode == 0, issued.ToString());
            // pebble's badNonce answers are recorded too; one order was created.
            Assert.Single(proxy.Orders, o => o.StatusCode == System.Net.HttpStatusCode.Created);
        });
    }
}
