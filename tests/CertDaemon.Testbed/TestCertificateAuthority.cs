using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Testbed;

/// <summary>
/// A throwaway CA generated at test start, with a TLS leaf for <c>localhost</c> and <c>127.0.0.1</c>.
/// It is trusted only by the HttpClients the tests build (never the system store).
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 root, X509Certificate2 leaf)
    {
        Root = root;
        Leaf = leaf;
    }

    /// <summary>The root (public part only).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>The TLS leaf with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    public static TestCertificateAuthority Create(TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=CertDaemon test CA " + Guid.NewGuid().ToString("N")[..8], rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var rootWithKey = rootRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootWithKey, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var leafPublic = leafRequest.Create(rootWithKey, now.AddDays(-1), now.AddMonths(6), serial);
        var leaf = leafPublic.CopyWithPrivateKey(leafKey);
        return new TestCertificateAuthority(X509CertificateLoader.LoadCertificate(rootWithKey.RawData), leaf);
    }

    /// <summary>Writes the root (PEM), the leaf (PEM) and the leaf key (PKCS#8 PEM) into <paramref name="directory"/>.</summary>
    public (string RootPem, string LeafPem, string LeafKeyPem) WriteFiles(string directory)
    {
        var rootPath = Path.Combine(directory, "test-ca.pem");
        var leafPath = Path.Combine(directory, "localhost.pem");
        var keyPath = Path.Combine(directory, "localhost.key");
        File.WriteAllText(rootPath, Root.ExportCertificatePem() + "\n");
        File.WriteAllText(leafPath, Leaf.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, Leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        return (rootPath, leafPath, keyPath);
    }

    public void Dispose()
    {
        Root.Dispose();
        Leaf.Dispose();
    }
}
