using System.Text.Json;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// Issue 6 end to end: pebble issues, nginx serves it, and ACM (moto) in two regions holds it; a renewal moves all
/// three to the new serial, and both regions keep their ARNs (listeners and distributions stay attached).
/// </summary>
public sealed class AcmEndToEndTests(ITestOutputHelper output)
{
    private static readonly string[] Regions = ["eu-west-1", "us-east-1"];

    [Fact]
    public async Task Issue_lands_in_nginx_and_two_acm_regions_and_a_renewal_moves_all_three_keeping_the_arns()
    {
        await using var moto = await MotoServer.StartAsync();
        await using var testbed = await CliTestbed.StartAsync(["example.test", "*.example.test"], config =>
        {
            var certificate = ((Dictionary<string, object?>[])config["Certificates"]!)[0];
            certificate["Acm"] = new Dictionary<string, object?> { ["Regions"] = Regions, ["Tags"] = new Dictionary<string, string> { ["env"] = "test" } };
        });
        var environment = new Dictionary<string, string?>(testbed.Environment) { ["AWS_ENDPOINT_URL_ACM"] = moto.Endpoint.ToString() };

        await FailureReport.WithLogsAsync(output, () => testbed.Logs + moto.Output, async () =>
        {
            var first = await CliProcess.RunAsync(["issue", CliTestbed.CertificateName, "--config", testbed.ConfigPath], environment);
            output.WriteLine(first.ToString());
            Assert.Equal(0, first.ExitCode);
            var s1 = IssueCommandTests.LiveSerial(testbed);
            Assert.Equal(s1, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s1));
            var arns = await AcmTargetsAsync(testbed, environment);
            Assert.Equal(Regions.Select(r => "acm:" + r), arns.Keys.Order());
            foreach (var (target, arn) in arns)
            {
                await AssertAcmHoldsAsync(moto, target[4..], arn, s1);
            }

            var second = await CliProcess.RunAsync(["issue", CliTestbed.CertificateName, "--config", testbed.ConfigPath], environment);
            Assert.Equal(0, second.ExitCode);
            var s2 = IssueCommandTests.LiveSerial(testbed);
            Assert.NotEqual(s1, s2);
            Assert.Equal(s2, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s2));
            Assert.Equal(arns, await AcmTargetsAsync(testbed, environment));
            foreach (var (target, arn) in arns)
            {
                await AssertAcmHoldsAsync(moto, target[4..], arn, s2);
                using var acm = AcmClient.Create(target[4..], moto.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(100, 100));
                var page = await acm.ListCertificatesAsync(AcmKeyAlgorithms.All, null, null, CancellationToken.None);
                Assert.Single(page.Certificates);
            }
        });
    }

    /// <summary>target -> ARN, from <c>certdaemon status --json</c> (what an operator reads).</summary>
    private static async Task<Dictionary<string, string>> AcmTargetsAsync(CliTestbed testbed, IReadOnlyDictionary<string, string?> environment)
    {
        var status = await CliProcess.RunAsync(["status", "--json", "--config", testbed.ConfigPath], environment);
        Assert.Equal(0, status.ExitCode);
        using var json = JsonDocument.Parse(status.Output);
        var certificate = json.RootElement.EnumerateArray().Single();
        var serial = certificate.GetProperty("serial").GetString();
        var result = new Dictionary<string, string>();
        foreach (var target in certificate.GetProperty("targets").EnumerateArray())
        {
            var name = target.GetProperty("target").GetString()!;
            Assert.Equal(serial, target.GetProperty("serial").GetString());
            Assert.True(target.GetProperty("holdsCurrent").GetBoolean(), name);
            if (name.StartsWith("acm:", StringComparison.Ordinal))
            {
                result[name] = target.GetProperty("arn").GetString()!;
            }
        }

        return result;
    }

    private static async Task AssertAcmHoldsAsync(MotoServer moto, string region, string arn, string serial)
    {
        using var acm = AcmClient.Create(region, moto.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(100, 100));
        var detail = await acm.DescribeCertificateAsync(arn, CancellationToken.None);
        Assert.True(AcmSerial.AreEqual(serial, detail.Serial), $"{region}: ACM holds {detail.Serial}, expected {serial}");
        var tags = await acm.ListTagsForCertificateAsync(arn, CancellationToken.None);
        Assert.Equal(CliTestbed.CertificateName, tags["certdaemon:name"]);
        Assert.Equal("test", tags["env"]);
    }
}
