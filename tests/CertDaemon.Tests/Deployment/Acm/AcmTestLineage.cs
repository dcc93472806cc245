using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Kernel;
using CertDaemon.Testbed;

namespace CertDaemon.Tests.Deployment.Acm;

/// <summary>
/// certbot's layout (<c>archive/NAME/*N.pem</c>, <c>live/NAME/*.pem</c> links) with leaves of a chosen key type
/// (EC P-256 or RSA 2048/3072), signed by a throwaway intermediate under a throwaway root, currently valid (ACM and
/// moto refuse expired or not-yet-valid certificates). <c>chain.pem</c> holds the intermediate only.
/// </summary>
internal sealed class AcmTestLineage : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;
    private readonly List<(string Serial, X509Certificate2 Leaf)> _versions = [];

    public AcmTestLineage(string name, params string[] domains)
    {
        Name = name;
        Domains = domains;
        Root = TestbedPaths.NewRunDirectory("acm-lineage");
        Directory.CreateDirectory(Path.Combine(Root, "archive", name));
        Directory.CreateDirectory(LiveDirectory);
        var now = TimeProvider.System.GetUtcNow();
        var request = new CertificateRequest("CN=CertDaemon ACM test intermediate", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _ca = request.CreateSelfSigned(now.AddDays(-2), now.AddYears(1));
    }

    public string Name { get; }

    public IReadOnlyList<string> Domains { get; }

    public string Root { get; }

    public string LiveDirectory => Path.Combine(Root, "live", Name);

    public string CaPem => _ca.ExportCertificatePem();

    public string SerialOf(int version) => _versions[version - 1].Serial;

    public X509Certificate2 LeafOf(int version) => _versions[version - 1].Leaf;

    /// <summary>Writes version N+1 and points live at it; returns N+1.</summary>
    public int AddLiveVersion(KeyType keyType = KeyType.Ec256, int validDays = 90)
    {
        using AsymmetricAlgorithm key = keyType switch
        {
            KeyType.Ec256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
            KeyType.Ec384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
            KeyType.Rsa2048 => RSA.Create(2048),
            KeyType.Rsa3072 => RSA.Create(3072),
            _ => RSA.Create(4096),
        };
        var request = key is RSA rsa
            ? new CertificateRequest("CN=" + Domains[0], rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=" + Domains[0], (ECDsa)key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var domain in Domains)
        {
            san.AddDnsName(domain);
        }

        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);

        // Whole seconds: ACM reports notAfter in seconds.
        var now = TimeProvider.System.GetUtcNow();
        var notBefore = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero).AddDays(-1);
        // The generator overload: an RSA leaf under the EC intermediate (Create(issuerCertificate, ...) wants one key type).
        var notAfter = notBefore.AddDays(validDays + 1);
        using var issued = request.Create(_ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), notBefore, notAfter, serial);
        var leaf = X509CertificateLoader.LoadCertificate(issued.RawData);
        var version = _versions.Count + 1;
        var cert = leaf.ExportCertificatePem() + "\n";
        var chain = _ca.ExportCertificatePem() + "\n";
        var keyPem = (key is RSA r ? r.ExportPkcs8PrivateKeyPem() : ((ECDsa)key).ExportPkcs8PrivateKeyPem()) + "\n";
        Write("cert", version, cert);
        Write("chain", version, chain);
        Write("fullchain", version, cert + chain);
        Write("privkey", version, keyPem);
        _versions.Add((leaf.SerialNumber.ToLowerInvariant(), leaf));
        foreach (var kind in new[] { "cert", "chain", "fullchain", "privkey" })
        {
            var link = Path.Combine(LiveDirectory, kind + ".pem");
            var temp = link + ".new";
            File.Delete(temp);
            File.CreateSymbolicLink(temp, Path.Combine("..", "..", "archive", Name, $"{kind}{version}.pem"));
            File.Move(temp, link, overwrite: true);
        }

        return version;
    }

    public DeploymentContext Context(int version, AcmOptions acm, KeyType? keyType = null) =>
        new(Name, Domains, SerialOf(version), LiveDirectory) { Acm = acm, KeyType = keyType };

    public void Dispose()
    {
        foreach (var (_, leaf) in _versions)
        {
            leaf.Dispose();
        }

        _ca.Dispose();
        _caKey.Dispose();
    }

    private void Write(string kind, int version, string text) =>
        File.WriteAllText(Path.Combine(Root, "archive", Name, $"{kind}{version}.pem"), text);
}
