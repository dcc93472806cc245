using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// The managed serial/expiry reader the store uses instead of OpenSSL agrees with <see cref="X509Certificate2"/> on
/// every certificate shape it meets (serials with a leading zero octet, UTCTime and GeneralizedTime expiry, v1 without
/// the version field, RSA and EC), and refuses what OpenSSL refused.
/// </summary>
public sealed class CertificateIdentityTests
{
    public static TheoryData<string> Shapes => ["ec-short-serial", "ec-high-bit-serial", "rsa-generalized-time", "ec-v1", "certbot-like-18-byte-serial"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Agrees_with_X509Certificate2(string shape)
    {
        using var certificate = Create(shape);
        var identity = CertificateIdentity.FromDer(certificate.RawData);

        Assert.Equal(certificate.SerialNumber.ToLowerInvariant(), identity.Serial);
        Assert.Equal(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), identity.NotAfter);
        Assert.Equal(TimeSpan.Zero, identity.NotAfter.Offset);
    }

    [Fact]
    public void Refuses_truncated_and_non_certificate_input()
    {
        using var certificate = Create("ec-short-serial");
        var der = certificate.RawData;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<CryptographicException>(() => CertificateIdentity.FromDer(der[..^10]));
        Assert.Throws<CryptographicException>(() => CertificateIdentity.FromDer(key.ExportPkcs8PrivateKey()));
        Assert.Throws<CryptographicException>(() => CertificateIdentity.FromDer(Array.Empty<byte>()));
    }

    [Fact]
    public void Accepts_what_X509CertificateLoader_accepts_bytes_after_the_certificate_and_a_long_form_length()
    {
        using var certificate = Create("ec-short-serial");
        var der = certificate.RawData;
        Assert.Equal(0x30, der[0]);
        Assert.Equal(0x82, der[1]); // a two-octet length: rewrite it as a three-octet one, which BER allows and DER does not
        byte[] longForm = [0x30, 0x83, 0x00, der[2], der[3], .. der[4..]];
        byte[] trailing = [.. der, 0x00, 0x00, 0x05];

        foreach (var variant in new[] { longForm, trailing })
        {
            using var loaded = X509CertificateLoader.LoadCertificate(variant);
            var identity = CertificateIdentity.FromDer(variant);
            Assert.Equal(loaded.SerialNumber.ToLowerInvariant(), identity.Serial);
            Assert.Equal(new DateTimeOffset(loaded.NotAfter.ToUniversalTime()), identity.NotAfter);
        }
    }

    /// <summary>
    /// The store reads a PEM file's first certificate from its bytes: what OpenSSL (nginx) reads is read (CRLF line
    /// ends, explanatory text before the block, a chain after it), and a file nginx could not load is named as such.
    /// </summary>
    [Fact]
    public void The_first_certificate_of_a_PEM_file_is_read_as_nginx_reads_it()
    {
        using var certificate = Create("ec-high-bit-serial");
        using var other = Create("rsa-generalized-time");
        var directory = Directory.CreateTempSubdirectory("certdaemon-pem-");
        try
        {
            string Write(string file, string text)
            {
                var path = Path.Combine(directory.FullName, file);
                File.WriteAllText(path, text);
                return path;
            }

            var pem = certificate.ExportCertificatePem() + "\n";
            var chain = other.ExportCertificatePem() + "\n";
            var readables = new[]
            {
                pem + chain,
                (pem + chain).ReplaceLineEndings("\r\n"),
                "Subject: what certbot's tools may write first\n" + pem,
                "\uFEFF" + pem + chain, // a UTF-8 byte order mark, as an editor may leave it (OpenSSL skips it)
                string.Join('\n', pem.Split('\n').Select(line => line.StartsWith('-') || line.Length == 0 ? line : line + "\t")), // tabs after Base64 lines
            };
            foreach (var readable in readables)
            {
                var identity = LineageReader.ReadFirstCertificate("site", Write("readable.pem", readable));
                Assert.Equal(certificate.SerialNumber.ToLowerInvariant(), identity.Serial);
                Assert.Equal(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), identity.NotAfter);
            }

            // A damaged first block must not be skipped for the chain's certificate behind it: nginx would refuse the file.
            var damaged = Write("damaged.pem", pem[..40] + "!" + pem[41..] + chain);
            var error = Assert.Throws<CertificateStoreException>(() => LineageReader.ReadFirstCertificate("site", damaged));
            Assert.Contains($"{damaged} is not a readable certificate: its first PEM block (at byte 0) is damaged", error.Message, StringComparison.Ordinal);

            // The offset is in bytes: "é" is two.
            var damagedAfterText = Write("damaged-after-text.pem", "é\n" + pem[..40] + "!" + pem[41..] + chain);
            Assert.Contains("its first PEM block (at byte 3) is damaged", Assert.Throws<CertificateStoreException>(() => LineageReader.ReadFirstCertificate("site", damagedAfterText)).Message, StringComparison.Ordinal);

            var none = Write("none.pem", "not a certificate\n");
            Assert.Contains($"{none} holds no PEM certificate", Assert.Throws<CertificateStoreException>(() => LineageReader.ReadFirstCertificate("site", none)).Message, StringComparison.Ordinal);

            // Valid Base64 that is not a certificate (a key), and a truncated certificate.
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var notCertificate = Write("key.pem", PemEncoding.WriteString("CERTIFICATE", key.ExportPkcs8PrivateKey()));
            Assert.Contains("is not a readable certificate", Assert.Throws<CertificateStoreException>(() => LineageReader.ReadFirstCertificate("site", notCertificate)).Message, StringComparison.Ordinal);
            var truncated = Write("truncated.pem", PemEncoding.WriteString("CERTIFICATE", certificate.RawData[..^20]));
            Assert.Contains("is not a readable certificate", Assert.Throws<CertificateStoreException>(() => LineageReader.ReadFirstCertificate("site", truncated)).Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static X509Certificate2 Create(string shape)
    {
        if (shape == "ec-v1")
        {
            return CreateVersion1();
        }

        var notBefore = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
        CertificateRequest request;
        AsymmetricAlgorithm key;
        if (shape.StartsWith("rsa", StringComparison.Ordinal))
        {
            var rsa = RSA.Create(2048);
            (key, request) = (rsa, new CertificateRequest("CN=rsa.example.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        else
        {
            var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            (key, request) = (ec, new CertificateRequest("CN=ec.example.test", ec, HashAlgorithmName.SHA256));
        }

        using (key)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("example.test");
            request.CertificateExtensions.Add(san.Build());

            byte[] serial = shape switch
            {
                "ec-high-bit-serial" => [0x00, 0x9f, 0x01, 0x02, 0x03],
                "certbot-like-18-byte-serial" => [0x05, .. RandomNumberGenerator.GetBytes(17)],
                _ => [0x01, 0x2a],
            };
            // After 2049 RFC 5280 requires GeneralizedTime for the validity; .NET writes it then.
            var notAfter = shape == "rsa-generalized-time" ? new DateTimeOffset(2051, 6, 30, 23, 59, 59, TimeSpan.Zero) : notBefore.AddDays(90);
            var generator = key is RSA rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1) : X509SignatureGenerator.CreateForECDsa((ECDsa)key);
            var certificate = request.Create(request.SubjectName, generator, notBefore, notAfter, serial);
            return certificate;
        }
    }

    /// <summary>An X.509 v1 certificate (no version field, no extensions), which CertificateRequest cannot make.</summary>
    private static X509Certificate2 CreateVersion1()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedName("CN=v1.example.test").RawData;
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            tbs.WriteInteger(77);
            WriteEcdsaSha256(tbs);
            tbs.WriteEncodedValue(name);
            using (tbs.PushSequence())
            {
                tbs.WriteUtcTime(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
                tbs.WriteUtcTime(new DateTimeOffset(2025, 5, 30, 12, 0, 0, TimeSpan.Zero));
            }

            tbs.WriteEncodedValue(name);
            tbs.WriteEncodedValue(key.ExportSubjectPublicKeyInfo());
        }

        var tbsBytes = tbs.Encode();
        var certificate = new AsnWriter(AsnEncodingRules.DER);
        using (certificate.PushSequence())
        {
            certificate.WriteEncodedValue(tbsBytes);
            WriteEcdsaSha256(certificate);
            certificate.WriteBitString(key.SignData(tbsBytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }

        var loaded = X509CertificateLoader.LoadCertificate(certificate.Encode());
        Assert.Equal(1, loaded.Version);
        return loaded;
    }

    private static void WriteEcdsaSha256(AsnWriter writer)
    {
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier("1.2.840.10045.4.3.2");
        }
    }
}
