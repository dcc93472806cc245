using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertDaemon.Testbed.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.EndToEnd;

/// <summary>
/// <c>Acme.Fallback</c> with two real CAs (two pebble instances, each with its own roots), driven through the real
/// <c>certdaemon</c> process with Route53 (our emulator) and nginx: which CA issues is read from the served chain
/// (verified against each CA's own root) and from <c>status --json</c>, not from our logs.
/// </summary>
public sealed class CaFallbackTests(ITestOutputHelper output)
{
    private static readonly string[] Domains = ["example.test", "www.example.test"];

    [Fact]
    public async Task Renewals_fall_back_for_the_cas_failures_only_and_come_back_to_the_primary()
    {
        // No authorization reuse: every order must publish challenge records (step 4 needs Route53 to be asked).
        await using var testbed = await CliTestbed.StartAsync(Domains, pebbleOptions: new PebbleOptions { NonceRejectPercent = 20, AuthorizationReusePercent = 0 });
        // The second CA validates against the first run's DNS server, where the Route53 emulator publishes.
        await using var second = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 20, AuthorizationReusePercent = 0, DnsServerPort = testbed.Pebble.DnsPort });
        var primaryProxy = await AcmeExtensionsProxy.StartAsync(testbed.Pebble);
        var proxyStopped = false;
        try
        {
            await FailureReport.WithLogsAsync(output, () => testbed.Logs + second.Logs, async () =>
            {
                var bundle = Path.Combine(testbed.Root, "ca-tls-roots.pem");
                await File.WriteAllTextAsync(bundle, await File.ReadAllTextAsync(testbed.Pebble.TlsRootPemPath) + await File.ReadAllTextAsync(second.TlsRootPemPath));
                testbed.WriteConfiguration(Domains, c =>
                {
                    var acme = (Dictionary<string, object?>)c["Acme"]!;
                    acme["DirectoryUrl"] = primaryProxy.DirectoryUrl.ToString();
                    acme["TrustedCaFile"] = bundle;
                    acme["Fallback"] = new[] { new Dictionary<string, object?> { ["DirectoryUrl"] = second.DirectoryUrl.ToString() } };
                });
                using var primaryRoot = await testbed.Pebble.GetRootAsync(0);
                using var secondRoot = await second.GetRootAsync(0);

                // 1. The primary answers rateLimited (Retry-After 1 h). There is no certificate yet, so any wait is past
                //    the renewal deadline: the second CA issues.
                primaryProxy.ArmRateLimited(TimeSpan.FromHours(1));
                var first = await testbed.RunAsync("issue", CliTestbed.CertificateName);
                output.WriteLine(first.ToString());
                Assert.Equal(0, first.ExitCode);
                Assert.Contains("falling back: the CA answered rateLimited", first.Error, StringComparison.Ordinal);
                Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, Assert.Single(primaryProxy.Orders).StatusCode);
                await AssertIssuedByAsync(testbed, secondRoot, primaryRoot, second.DirectoryUrl, "fallback 1");

                // 2. Still rate limited, but now a 5-year certificate is live: one hour is well before the renewal
                //    deadline, so the renewal waits for the primary instead of spending the second CA's limits.
                var waiting = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
                output.WriteLine(waiting.ToString());
                Assert.Equal(1, waiting.ExitCode);
                Assert.Contains("before the renewal deadline", waiting.Error, StringComparison.Ordinal);
                await AssertIssuedByAsync(testbed, secondRoot, primaryRoot, second.DirectoryUrl, "fallback 1");

                // 3. The primary is back: the next renewal goes to it. The live certificate is the second CA's, so its
                //    ARI CertID is not sent to the primary as "replaces".
                primaryProxy.DisarmRateLimited();
                var back = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
                output.WriteLine(back.ToString());
                Assert.Equal(0, back.ExitCode);
                Assert.DoesNotContain("falling back", back.Error, StringComparison.Ordinal);
                var order = primaryProxy.Orders[^1];
                Assert.Equal(System.Net.HttpStatusCode.Created, order.StatusCode);
                Assert.Null(order.Replaces);
                await AssertIssuedByAsync(testbed, primaryRoot, secondRoot, primaryProxy.DirectoryUrl, "primary");
                var primarySerial = IssueCommandTests.LiveSerial(testbed);

                // 4. Route53 refuses the challenge records (IAM): ours, so no other CA is asked; the live files stay.
                testbed.Route53.Faults.Enqueue(Route53Fault.AccessDenied, Route53Operation.ChangeResourceRecordSets);
                var denied = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
                output.WriteLine(denied.ToString());
                Assert.Equal(1, denied.ExitCode);
                Assert.Contains("AccessDenied", denied.Error, StringComparison.Ordinal);
                Assert.Contains("no fallback: the failure is ours (AWS refused ChangeResourceRecordSets (AccessDenied))", denied.Error, StringComparison.Ordinal);
                Assert.DoesNotContain("falling back", denied.Error, StringComparison.Ordinal);
                Assert.Equal(primarySerial, IssueCommandTests.LiveSerial(testbed));
                IssueCommandTests.AssertLivePairMatches(testbed);
                Assert.Empty(testbed.TxtRecordSets());

                // 5. The primary CA is stopped (connection refused): one more try, then the second CA issues.
                await primaryProxy.DisposeAsync();
                proxyStopped = true;
                await testbed.Pebble.StopCaAsync();
                var outage = await testbed.RunAsync("renew", "--force", CliTestbed.CertificateName);
                output.WriteLine(outage.ToString());
                Assert.Equal(0, outage.ExitCode);
                Assert.Contains("trying the same CA again (attempt 2 of 2)", outage.Error, StringComparison.Ordinal);
                Assert.Contains("falling back: the CA could not be reached", outage.Error, StringComparison.Ordinal);
                await AssertIssuedByAsync(testbed, secondRoot, primaryRoot, second.DirectoryUrl, "fallback 1");
                Assert.Empty(testbed.TxtRecordSets());
            });
        }
        finally
        {
            if (!proxyStopped)
            {
                await primaryProxy.DisposeAsync();
            }
        }
    }

    /// <summary>The live and served certificate chains to <paramref name="root"/> (and not to <paramref name="otherRoot"/>); status names the CA.</summary>
    private async Task AssertIssuedByAsync(CliTestbed testbed, X509Certificate2 root, X509Certificate2 otherRoot, Uri directoryUrl, string role)
    {
        var serial = IssueCommandTests.LiveSerial(testbed);
        Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "www.example.test", serial));
        Assert.True(ChainsTo(testbed, root), $"the live certificate does not chain to {root.Subject}");
        Assert.False(ChainsTo(testbed, otherRoot), $"the live certificate chains to {otherRoot.Subject} too");

        var status = await testbed.RunAsync("status", "--json");
        using var document = JsonDocument.Parse(status.Output);
        var site = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == CliTestbed.CertificateName);
        Assert.Equal(serial, site.GetProperty("serial").GetString());
        Assert.Equal("acme", site.GetProperty("source").GetString());
        Assert.Equal($"{directoryUrl} ({role})", site.GetProperty("origin").GetString());
        Assert.Contains($"source:       acme {directoryUrl} ({role})", (await testbed.RunAsync("status")).Output, StringComparison.Ordinal);
    }

    private static bool ChainsTo(CliTestbed testbed, X509Certificate2 root)
    {
        using var leaf = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(testbed.LiveDirectory, "cert.pem")));
        var intermediates = new X509Certificate2Collection();
        intermediates.ImportFromPemFile(Path.Combine(testbed.LiveDirectory, "chain.pem"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
