using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;

namespace CertDaemon.Tests.Acme;

public sealed class AriCertificateIdTests
{
    // RFC 9773 Appendix A: AKI keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 0x0087654321.
    private const string Rfc9773ExampleCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt
        cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS
        BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu
        7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf
        qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B
        yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb
        +FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK
        -----END CERTIFICATE-----
        """;

    [Fact]
    public void The_rfc_9773_example_certificate_has_the_rfc_certid()
    {
        var fields = PemEncoding.Find(Rfc9773ExampleCertificate);
        var der = Convert.FromBase64String(Rfc9773ExampleCertificate[fields.Base64Data]);

        Assert.Equal("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", AriCertificateId.FromDer(der).Value);
    }

    [Fact]
    public void A_serial_with_the_high_bit_set_keeps_its_leading_zero_and_the_aki_is_the_issuer_key_id()
    {
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerRequest = new CertificateRequest("CN=Test Issuer", issuerKey, HashAlgorithmName.SHA256);
        issuerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        issuerRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(issuerRequest.PublicKey, false));
        var now = TimeProvider.System.GetUtcNow();
        using var issuer = issuerRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=leaf.example.test", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var leaf = leafRequest.Create(issuer, now, now.AddDays(7), [0x00, 0x87, 0x65, 0x43, 0x21]);

        var id = AriCertificateId.FromCertificate(leaf);

        var issuerKeyId = Convert.FromHexString(issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!);
        Assert.Equal(Base64Url.EncodeToString(issuerKeyId) + ".AIdlQyE", id.Value);
        string asString = id;
        Assert.Equal(id.Value, asString);
    }

    [Fact]
    public void A_certificate_without_an_authority_key_identifier_has_no_certid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = TimeProvider.System.GetUtcNow();
        using var selfSigned = new CertificateRequest("CN=self.example.test", key, HashAlgorithmName.SHA256).CreateSelfSigned(now, now.AddDays(1));

        var error = Assert.Throws<ArgumentException>(() => AriCertificateId.FromCertificate(selfSigned));

        Assert.Contains("Authority Key Identifier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_a_certificate_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AriCertificateId.FromDer(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }));
    }
}
