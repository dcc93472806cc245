using System.Text.Json;
using System.Text.RegularExpressions;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Testbed.Fleet;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// The renewer's ACM import failed: the instances that install the fleet's version do not each import into the
/// manifest's ARN; one of them retries under the lease, records the result in the manifest, and the others find it.
/// </summary>
public sealed partial class FleetAcmRetryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_failed_import_is_retried_once_for_the_fleet_into_the_manifests_arn()
    {
        await using var fleet = await FleetTestbed.StartAsync();
        var renewer = await fleet.AddInstanceAsync();
        var second = await fleet.AddInstanceAsync();
        var third = await fleet.AddInstanceAsync();
        foreach (var instance in fleet.Instances)
        {
            instance.WithAcm();
        }

        // Only the renewer reaches ACM through a gate it can lose.
        await using var renewerAcm = TcpGate.Start(fleet.Moto.Endpoint);
        await FailureReport.WithLogsAsync(output, () => fleet.Logs + "\n" + fleet.Moto.Output, async () =>
        {
            var first = await renewer.RunWithAcmAsync(renewerAcm.Endpoint, "issue", FleetTestbed.CertificateName);
            output.WriteLine(first.ToString());
            Assert.Equal(0, first.ExitCode);
            Assert.Equal(1, Imports(first));
            var (arn, held) = await ManifestAcmAsync(fleet);
            Assert.Equal(FleetLiveFiles.Serial(renewer), held);

            // The renewal's import fails: the manifest publishes the new version with ACM still holding the old one.
            await renewerAcm.CloseAsync();
            var renewal = await renewer.RunWithAcmAsync(renewerAcm.Endpoint, "issue", FleetTestbed.CertificateName);
            output.WriteLine(renewal.ToString());
            var serial = FleetLiveFiles.Serial(renewer);
            Assert.NotEqual(held, serial);
            Assert.Equal((arn, held), await ManifestAcmAsync(fleet));

            // Two instances install it at once: one retries the import under the lease; the other finds the lease
            // busy and deploys its nginx only.
            var runs = await Task.WhenAll(new[] { second, third }.Select(i => i.RunWithAcmAsync(fleet.Moto.Endpoint, "renew", FleetTestbed.CertificateName)));
            foreach (var run in runs)
            {
                output.WriteLine(run.ToString());
            }

            Assert.Equal(1, runs.Sum(Imports));
            Assert.All(new[] { second, third }, i => Assert.Equal(serial, FleetLiveFiles.Serial(i)));

            // Their next checks: the manifest says the ARN holds the serial; recorded, not imported again.
            foreach (var instance in new[] { second, third })
            {
                var again = await instance.RunWithAcmAsync(fleet.Moto.Endpoint, "renew", FleetTestbed.CertificateName);
                output.WriteLine(again.ToString());
                Assert.Equal(0, again.ExitCode);
                Assert.Equal(0, Imports(again));
            }

            Assert.Equal((arn, serial), await ManifestAcmAsync(fleet));
            using var acm = AcmClient.Create("us-east-1", fleet.Moto.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(100, 100));
            var listed = await acm.ListCertificatesAsync(AcmKeyAlgorithms.All, null, null, CancellationToken.None);
            Assert.Equal(arn, Assert.Single(listed.Certificates).CertificateArn);
            // moto writes the serial without leading zeros.
            var inAcm = (await acm.DescribeCertificateAsync(arn, CancellationToken.None)).Serial;
            Assert.Equal(serial.TrimStart('0'), inAcm?.TrimStart('0'), ignoreCase: true);

            // Each installing instance's status shows ACM as the manifest has it now.
            foreach (var instance in new[] { second, third })
            {
                var status = await instance.RunAsync("status", "--json");
                Assert.Equal(0, status.ExitCode);
                Assert.DoesNotContain(held, status.Output, StringComparison.OrdinalIgnoreCase);
            }
        });
    }

    private static int Imports(CliProcess.Result run) => ImportedPattern().Count(run.Output + run.Error);

    private static async Task<(string Arn, string Serial)> ManifestAcmAsync(FleetTestbed fleet)
    {
        using var manifest = JsonDocument.Parse((await fleet.ManifestJsonAsync())!);
        var region = manifest.RootElement.GetProperty("acm").GetProperty("us-east-1");
        return (region.GetProperty("arn").GetString()!, region.GetProperty("serial").GetString()!);
    }

    [GeneratedRegex("AcmImported: site imported into ACM us-east-1")]
    private static partial Regex ImportedPattern();
}
