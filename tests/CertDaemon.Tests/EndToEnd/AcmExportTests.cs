using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.EndToEnd;

/// <summary>
/// <c>Issuer: "acm-export"</c> through the real <c>certdaemon</c> process against moto's ACM, our Route53 emulator and a
/// real nginx: request, validation CNAMEs in Route53, issued, exported, served; ACM's newer certificate picked up and
/// exported again; a non-exportable certificate and a validation that never completes refused with the live files
/// untouched. moto's exported leaf is self-signed, so the configuration sets <c>Testing.AcmExportSkipChainTrust</c>
/// (the production check is proven to refuse it in <c>AcmExportMotoTests</c>).
/// </summary>
public sealed class AcmExportTests(ITestOutputHelper output)
{
    private const string Region = "us-east-1";
    private static readonly string[] Domains = ["example.test", "www.example.test"];

    [Fact]
    public async Task An_acm_exportable_certificate_is_requested_validated_exported_served_and_re_exported_when_acm_has_a_new_one()
    {
        await using var testbed = await CliTestbed.StartAsync(Domains);
        await using var moto = await MotoServer.StartAsync(acmValidationWaitSeconds: 0);
        using var acm = AcmClient.Create(Region, moto.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000));
        await FailureReport.WithLogsAsync(output, () => testbed.Logs + moto.Output, async () =>
        {
            Configure(testbed, arn: null, validationTimeout: "00:01:00");
            var environment = Environment(testbed, moto);

            // 1. Requested (exportable, tagged), validation CNAMEs written, issued, exported, deployed.
            var issue = await CliProcess.RunAsync(["issue", CliTestbed.CertificateName, "--config", testbed.ConfigPath], environment);
            output.WriteLine(issue.ToString());
            Assert.Equal(0, issue.ExitCode);
            var arn = Assert.Single(await TaggedAsync(acm));
            var detail = await acm.DescribeCertificateAsync(arn, CancellationToken.None);
            Assert.Equal("ENABLED", detail.ExportOption);
            foreach (var validation in detail.DomainValidations)
            {
                var set = Assert.Single(testbed.Route53.GetRecordSets(testbed.ZoneId), r => r.Type == "CNAME" && r.Name == validation.RecordName);
                Assert.Equal(validation.RecordValue, Assert.Single(set.Values));
            }

            var first = IssueCommandTests.LiveSerial(testbed);
            Assert.True(AcmSerial.AreEqual(detail.Serial, first), $"ACM serial {detail.Serial}, live {first}");
            AssertLivePairMatches(testbed);
            Assert.Equal(first, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "www.example.test", first));
            await AssertStatusAsync(testbed, environment, first, arn);
            Assert.Contains("AWS charges per name for each issuance and each renewal",
                (await CliProcess.RunAsync(["config", "check", "--config", testbed.ConfigPath], environment)).Output, StringComparison.Ordinal);

            // 2. Nothing changed in ACM: a check exports nothing and requests nothing.
            var quiet = await CliProcess.RunAsync(["renew", "--config", testbed.ConfigPath], environment);
            output.WriteLine(quiet.ToString());
            Assert.Equal(0, quiet.ExitCode);
            Assert.Contains("acm-managed", quiet.Output, StringComparison.Ordinal);
            Assert.Equal(first, IssueCommandTests.LiveSerial(testbed));
            Assert.Single(await TaggedAsync(acm));

            // 3. ACM now holds another certificate for these names. moto has no RenewCertificate, so the test stands in
            //    for ACM: it requests a new exportable certificate with the same names and tag through moto's API and
            //    deletes the old ARN. The next regular check (no --force) finds the change and exports the new one.
            var renewedArn = await acm.RequestCertificateAsync(new AcmCertificateRequest(
                Domains, AcmKeyAlgorithms.Rsa2048, "renewal" + Guid.NewGuid().ToString("N")[..16], Exportable: true,
                new Dictionary<string, string> { ["certdaemon:name"] = CliTestbed.CertificateName }), CancellationToken.None);
            await moto.DeleteAcmCertificateAsync(Region, arn);
            var renewedSerial = (await acm.DescribeCertificateAsync(renewedArn, CancellationToken.None)).Serial;
            var picked = await CliProcess.RunAsync(["renew", "--config", testbed.ConfigPath], environment);
            output.WriteLine(picked.ToString());
            Assert.Equal(0, picked.ExitCode);
            var second = IssueCommandTests.LiveSerial(testbed);
            Assert.NotEqual(first, second);
            Assert.True(AcmSerial.AreEqual(renewedSerial, second), $"ACM serial {renewedSerial}, live {second}");
            Assert.Equal(second, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", second));
            await AssertStatusAsync(testbed, environment, second, renewedArn);
            Assert.Single(await TaggedAsync(acm)); // exported again, never requested again

            // 4. An operator points the certificate at an ACM certificate that is not exportable: refused, nothing changes.
            var plain = await acm.RequestCertificateAsync(new AcmCertificateRequest(
                Domains, AcmKeyAlgorithms.Rsa2048, "plain" + Guid.NewGuid().ToString("N")[..16], Exportable: false), CancellationToken.None);
            Configure(testbed, plain, validationTimeout: "00:01:00");
            var notExportable = await CliProcess.RunAsync(["renew", "--force", "--config", testbed.ConfigPath], environment);
            output.WriteLine(notExportable.ToString());
            Assert.Equal(1, notExportable.ExitCode);
            Assert.Contains("it is not exportable", notExportable.Error, StringComparison.Ordinal);
            Assert.Equal(second, IssueCommandTests.LiveSerial(testbed));
            AssertLivePairMatches(testbed);

            // 5. A validation that never completes (another moto whose ACM validates after an hour): a clear error
            //    after Acm.ValidationTimeout, the live files untouched, and the next run waits on the same request.
            await using var slow = await MotoServer.StartAsync(acmValidationWaitSeconds: 3600);
            using var slowAcm = AcmClient.Create(Region, slow.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000));
            Configure(testbed, arn: null, validationTimeout: "00:00:03");
            var slowEnvironment = Environment(testbed, slow);
            for (var run = 1; run <= 2; run++)
            {
                var pending = await CliProcess.RunAsync(["renew", "--force", "--config", testbed.ConfigPath], slowEnvironment);
                output.WriteLine(pending.ToString());
                Assert.Equal(1, pending.ExitCode);
                Assert.Contains("ACM has not validated it within 00:00:03 (still PENDING_VALIDATION; its validation CNAME records are in Route53)", pending.Error, StringComparison.Ordinal);
                Assert.Equal(second, IssueCommandTests.LiveSerial(testbed));
                AssertLivePairMatches(testbed);
                Assert.Single(await TaggedAsync(slowAcm));
            }
        });
    }

    private static IReadOnlyDictionary<string, string?> Environment(CliTestbed testbed, MotoServer moto) =>
        testbed.Environment.Concat(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ACM"] = moto.Endpoint.ToString() }).ToDictionary();

    private static void Configure(CliTestbed testbed, string? arn, string validationTimeout) => testbed.WriteConfiguration(Domains, c =>
    {
        var acm = new Dictionary<string, object?> { ["Regions"] = new[] { Region }, ["ValidationTimeout"] = validationTimeout };
        if (arn is not null)
        {
            acm["CertificateArn"] = arn;
        }

        c["Certificates"] = new[]
        {
            new Dictionary<string, object?>
            {
                ["Name"] = CliTestbed.CertificateName, ["Domains"] = Domains, ["Issuer"] = "acm-export", ["KeyType"] = "rsa2048", ["Acm"] = acm,
            },
        };
        c["Testing"] = new Dictionary<string, object?> { ["AcmExportSkipChainTrust"] = true };
    });

    private static async Task<List<string>> TaggedAsync(AcmClient acm)
    {
        var arns = new List<string>();
        foreach (var summary in (await acm.ListCertificatesAsync(AcmKeyAlgorithms.All, null, null, CancellationToken.None)).Certificates)
        {
            if ((await acm.ListTagsForCertificateAsync(summary.CertificateArn, CancellationToken.None)).GetValueOrDefault("certdaemon:name") == CliTestbed.CertificateName)
            {
                arns.Add(summary.CertificateArn);
            }
        }

        return arns;
    }

    private static async Task AssertStatusAsync(CliTestbed testbed, IReadOnlyDictionary<string, string?> environment, string serial, string arn)
    {
        var status = await CliProcess.RunAsync(["status", "--json", "--config", testbed.ConfigPath], environment);
        using var document = JsonDocument.Parse(status.Output);
        var site = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == CliTestbed.CertificateName);
        Assert.Equal(serial, site.GetProperty("serial").GetString());
        Assert.Equal("acm-export", site.GetProperty("source").GetString());
        Assert.Equal(arn, site.GetProperty("origin").GetString());
        Assert.Equal("acm-managed", site.GetProperty("nextRenewalReason").GetString());
        var target = site.GetProperty("targets").EnumerateArray().Single(t => t.GetProperty("target").GetString() == "acm:" + Region);
        Assert.Equal(arn, target.GetProperty("arn").GetString());
        Assert.True(target.GetProperty("holdsCurrent").GetBoolean());
    }

    private static void AssertLivePairMatches(CliTestbed testbed)
    {
        var cert = File.ReadAllText(Path.Combine(testbed.LiveDirectory, "cert.pem"));
        Assert.Equal(cert + File.ReadAllText(Path.Combine(testbed.LiveDirectory, "chain.pem")), File.ReadAllText(Path.Combine(testbed.LiveDirectory, "fullchain.pem")));
        using var pair = X509Certificate2.CreateFromPem(cert, File.ReadAllText(Path.Combine(testbed.LiveDirectory, "privkey.pem")));
        using var rsa = pair.GetRSAPrivateKey();
        Assert.NotNull(rsa);
        var signature = rsa.SignData("check"u8, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var publicKey = pair.GetRSAPublicKey()!;
        Assert.True(publicKey.VerifyData("check"u8, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }
}
