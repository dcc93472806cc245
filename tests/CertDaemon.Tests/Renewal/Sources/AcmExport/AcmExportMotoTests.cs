using CertDaemon.Kernel;
using System.Text;
using System.Text.Json;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Renewal.Sources.AcmExport;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Aws;
using CertDaemon.Tests.Aws.Acm;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Renewal.Sources.AcmExport;

/// <summary>
/// RequestCertificate, DescribeCertificate's validation records, ExportCertificate and the PKCS#8 decryption against
/// moto (an independent implementation of ACM's JSON 1.1 protocol), with its failure cases.
/// </summary>
public sealed class AcmExportMotoTests : IClassFixture<MotoFixture>, IDisposable
{
    private static readonly DateTimeOffset Now = TimeProvider.System.GetUtcNow();
    private readonly MotoFixture _moto;
    private readonly ITestOutputHelper _output;
    private readonly AcmTraffic _traffic = new();
    private readonly AcmClient _client;

    public AcmExportMotoTests(MotoFixture moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;
        _client = AcmClient.Create("us-east-1", moto.Server.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000), transport: _traffic);
    }

    public void Dispose()
    {
        _client.Dispose();
        _output.WriteLine("moto_server output:\n" + _moto.Server.Output);
    }

    [Fact]
    public async Task Request_describe_export_and_decrypt_round_trip_on_the_wire()
    {
        var domain = $"{Guid.NewGuid():N}.example.test";
        string[] domains = [domain, "*." + domain];
        var arn = await _client.RequestCertificateAsync(
            new AcmCertificateRequest(domains, AcmKeyAlgorithms.Rsa2048, "t" + Guid.NewGuid().ToString("N")[..20], Exportable: true,
                new Dictionary<string, string> { ["certdaemon:name"] = "shop" }), CancellationToken.None);

        using (var sent = JsonDocument.Parse(Assert.Single(_traffic.Of("RequestCertificate")).Body))
        {
            var root = sent.RootElement;
            Assert.Equal(domain, root.GetProperty("DomainName").GetString());
            Assert.Equal(domains, root.GetProperty("SubjectAlternativeNames").EnumerateArray().Select(e => e.GetString()!));
            Assert.Equal("DNS", root.GetProperty("ValidationMethod").GetString());
            Assert.Equal("RSA_2048", root.GetProperty("KeyAlgorithm").GetString());
            Assert.Equal("ENABLED", root.GetProperty("Options").GetProperty("Export").GetString());
        }

        var detail = await _client.DescribeCertificateAsync(arn, CancellationToken.None);
        Assert.Equal("AMAZON_ISSUED", detail.Type);
        Assert.Equal("ENABLED", detail.ExportOption);
        Assert.Equal("ISSUED", detail.Status); // MOTO_ACM_VALIDATION_WAIT=0
        Assert.Equal(domains.Order(), detail.DomainValidations.Select(v => v.DomainName).Order());
        Assert.All(detail.DomainValidations, v =>
        {
            Assert.Equal("CNAME", v.RecordType);
            Assert.EndsWith("." + domain + ".", v.RecordName, StringComparison.Ordinal);
            Assert.EndsWith(".acm-validations.aws.", v.RecordValue, StringComparison.Ordinal);
        });

        var passphrase = "correct-horse-battery"u8.ToArray();
        var exported = await _client.ExportCertificateAsync(arn, passphrase, CancellationToken.None);
        using (var sent = JsonDocument.Parse(Assert.Single(_traffic.Of("ExportCertificate")).Body))
        {
            Assert.Equal(Convert.ToBase64String(passphrase), sent.RootElement.GetProperty("Passphrase").GetString());
        }

        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", exported.EncryptedPrivateKeyPem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", exported.ToString(), StringComparison.Ordinal);

        // moto's leaf is self-signed and its chain does not verify: the production check refuses it ...
        var refused = Assert.Throws<AcmExportException>(() =>
            ExportedCertificateOpener.Open("shop", arn, domains, KeyType.Rsa2048, exported, passphrase, trustWithoutSystemStore: false, Now));
        Assert.Contains("does not chain to a root in the system trust store", refused.Message, StringComparison.Ordinal);

        // ... and with the test-only switch every other check still runs and passes.
        var issued = ExportedCertificateOpener.Open("shop", arn, domains, KeyType.Rsa2048, exported, passphrase, trustWithoutSystemStore: true, Now);
        Assert.True(AcmSerial.AreEqual(detail.Serial, issued.SerialHex));
        Assert.Contains("BEGIN PRIVATE KEY", issued.PrivateKeyPem, StringComparison.Ordinal);
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(issued.CertificatePem, issued.PrivateKeyPem);
        Assert.True(certificate.HasPrivateKey);

        // A key type or names other than configured are refused too.
        Assert.Contains("the configuration asks for ec256", Assert.Throws<AcmExportException>(() =>
            ExportedCertificateOpener.Open("shop", arn, domains, KeyType.Ec256, exported, passphrase, true, Now)).Message, StringComparison.Ordinal);
        Assert.Contains("differ from the configured ones", Assert.Throws<AcmExportException>(() =>
            ExportedCertificateOpener.Open("shop", arn, [domain], KeyType.Rsa2048, exported, passphrase, true, Now)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_passphrase_is_a_clear_error_that_never_shows_the_key()
    {
        var domain = $"{Guid.NewGuid():N}.example.test";
        var arn = await _client.RequestCertificateAsync(
            new AcmCertificateRequest([domain], AcmKeyAlgorithms.Rsa2048, "t" + Guid.NewGuid().ToString("N")[..20], Exportable: true), CancellationToken.None);
        var exported = await _client.ExportCertificateAsync(arn, "the-passphrase-sent"u8.ToArray(), CancellationToken.None);

        var error = Assert.Throws<AcmExportException>(() =>
            ExportedCertificateOpener.Open("shop", arn, [domain], KeyType.Rsa2048, exported, "another-passphrase"u8, true, Now));

        Assert.Contains("could not be decrypted with the passphrase sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("the live files were not changed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(exported.EncryptedPrivateKeyPem.Split('\n')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exporting_a_certificate_that_is_not_exportable_is_refused_by_acm()
    {
        var domain = $"{Guid.NewGuid():N}.example.test";
        var arn = await _client.RequestCertificateAsync(
            new AcmCertificateRequest([domain], AcmKeyAlgorithms.Rsa2048, "t" + Guid.NewGuid().ToString("N")[..20], Exportable: false), CancellationToken.None);
        using (var sent = JsonDocument.Parse(_traffic.Of("RequestCertificate").Last().Body))
        {
            Assert.False(sent.RootElement.TryGetProperty("Options", out _));
        }

        Assert.NotEqual("ENABLED", (await _client.DescribeCertificateAsync(arn, CancellationToken.None)).ExportOption);
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => _client.ExportCertificateAsync(arn, Encoding.ASCII.GetBytes("passphrase"), CancellationToken.None));
        Assert.Equal("ValidationException", error.Code);
    }
}
