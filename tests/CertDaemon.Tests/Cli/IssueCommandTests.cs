using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// <c>certdaemon issue NAME</c> as a real process: pebble issues through DNS-01 answered via the Route53 emulator,
/// the files land in certbot's layout, and the real nginx serves the new serial (checked by our own TLS handshake).
/// </summary>
public sealed class IssueCommandTests(ITestOutputHelper output)
{
    private static readonly string[] Domains = ["example.test", "*.example.test"];

    [Fact]
    public async Task Issue_deploys_to_nginx_a_forced_reissue_replaces_it_and_a_broken_nginx_config_keeps_the_old_one()
    {
        await using var testbed = await CliTestbed.StartAsync(Domains);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            // 1. issue -> nginx serves S1
            var first = await testbed.RunAsync("issue", CliTestbed.CertificateName);
            output.WriteLine(first.ToString());
            Assert.Equal(0, first.ExitCode);
            var s1 = LiveSerial(testbed);
            Assert.Contains(s1, first.Output, StringComparison.Ordinal);
            Assert.Equal(s1, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s1));
            Assert.Equal(s1, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "www.example.test", s1));
            AssertLivePairMatches(testbed);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.GetFullPath(ResolveLink(Path.Combine(testbed.LiveDirectory, "privkey.pem")))));

            // 2. issue again (a forced renewal) -> nginx serves S2
            var second = await testbed.RunAsync("issue", CliTestbed.CertificateName);
            Assert.Equal(0, second.ExitCode);
            var s2 = LiveSerial(testbed);
            Assert.NotEqual(s1, s2);
            Assert.Equal(s2, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s2));

            // 3. broken nginx configuration -> exit 1 with nginx's own error; live still S2; nginx still serves S2
            testbed.Nginx.BreakConfiguration();
            var third = await testbed.RunAsync("issue", CliTestbed.CertificateName);
            output.WriteLine(third.ToString());
            Assert.Equal(1, third.ExitCode);
            Assert.Contains("unexpected \"}\"", third.Error, StringComparison.Ordinal);
            Assert.Equal(s2, LiveSerial(testbed));
            AssertLivePairMatches(testbed);
            Assert.Equal(s2, await TlsHandshake.ServedSerialAsync(testbed.Nginx.Port, "example.test"));

            // No challenge record is left in Route53.
            Assert.DoesNotContain(testbed.Route53.GetRecordSets(testbed.Route53.ChangeLog[0].HostedZoneId), r => r.Type == "TXT");
        });
    }

    [Fact]
    public async Task Unknown_certificate_name_is_a_usage_error_naming_the_known_ones()
    {
        await using var testbed = await CliTestbed.StartAsync(Domains);
        var result = await testbed.RunAsync("issue", "nope");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no certificate named 'nope'", result.Error, StringComparison.Ordinal);
        Assert.Contains(CliTestbed.CertificateName, result.Error, StringComparison.Ordinal);
    }

    internal static string LiveSerial(CliTestbed testbed)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(testbed.LiveDirectory, "cert.pem")));
        return certificate.SerialNumber.ToLowerInvariant();
    }

    internal static void AssertLivePairMatches(CliTestbed testbed)
    {
        var fullchain = File.ReadAllText(Path.Combine(testbed.LiveDirectory, "fullchain.pem"));
        var cert = File.ReadAllText(Path.Combine(testbed.LiveDirectory, "cert.pem"));
        var chain = File.ReadAllText(Path.Combine(testbed.LiveDirectory, "chain.pem"));
        Assert.Equal(cert + chain, fullchain);
        using var leaf = X509Certificate2.CreateFromPem(cert);
        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(testbed.LiveDirectory, "privkey.pem")));
        Assert.Equal(leaf.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
    }

    private static string ResolveLink(string path) => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
}
