using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Deployment;
using CertDaemon.Testbed;

namespace CertDaemon.Tests.Deployment;

/// <summary>
/// certbot's file layout in a temp directory: <c>archive/NAME/{cert,chain,fullchain,privkey}N.pem</c> and
/// <c>live/NAME/*.pem</c> as relative symbolic links to one version. Leaves are signed by a throwaway CA with
/// random serials. Also plays the certificate store's rollback (switch live back one version), recording each call.
/// </summary>
internal sealed class TestLineage : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;
    private readonly List<string> _serials = [];
    private readonly List<DeploymentContext> _rollbacks = [];

    public TestLineage(string name, IReadOnlyList<string> domains, string? root = null)
    {
        Name = name;
        Domains = domains;
        Root = root ?? TestbedPaths.NewRunDirectory("lineage");
        Directory.CreateDirectory(ArchiveDirectory);
        Directory.CreateDirectory(LiveDirectory);
        var now = TimeProvider.System.GetUtcNow();
        var request = new CertificateRequest("CN=CertDaemon deployment test CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _ca = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    public string Name { get; }

    public IReadOnlyList<string> Domains { get; }

    public string Root { get; }

    public string ArchiveDirectory => Path.Combine(Root, "archive", Name);

    public string LiveDirectory => Path.Combine(Root, "live", Name);

    public string FullChainPath => Path.Combine(LiveDirectory, "fullchain.pem");

    public string PrivateKeyPath => Path.Combine(LiveDirectory, "privkey.pem");

    /// <summary>The version live points at (1-based), 0 before the first switch.</summary>
    public int LiveVersion { get; private set; }

    public IReadOnlyList<DeploymentContext> RollbackCalls => _rollbacks;

    public string SerialOf(int version) => _serials[version - 1];

    /// <summary>Writes version N+1 into the archive (not live yet) and returns its number.</summary>
    public int AddVersion()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + Domains[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var domain in Domains)
        {
            san.AddDnsName(domain);
        }

        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        var now = TimeProvider.System.GetUtcNow();
        using var leaf = request.Create(_ca, now.AddDays(-1), now.AddDays(90), serial);
        var version = _serials.Count + 1;
        var chain = _ca.ExportCertificatePem() + "\n";
        var cert = leaf.ExportCertificatePem() + "\n";
        File.WriteAllText(ArchivePath("cert", version), cert);
        File.WriteAllText(ArchivePath("chain", version), chain);
        File.WriteAllText(ArchivePath("fullchain", version), cert + chain);
        File.WriteAllText(ArchivePath("privkey", version), key.ExportPkcs8PrivateKeyPem() + "\n");
        _serials.Add(leaf.SerialNumber.ToLowerInvariant());
        return version;
    }

    /// <summary>Points each live link at <paramref name="version"/>, each replaced atomically (temp link, then rename).</summary>
    public void SwitchTo(int version)
    {
        foreach (var kind in new[] { "cert", "chain", "fullchain", "privkey" })
        {
            var link = Path.Combine(LiveDirectory, kind + ".pem");
            var temp = link + ".new";
            File.Delete(temp);
            File.CreateSymbolicLink(temp, Path.Combine("..", "..", "archive", Name, $"{kind}{version}.pem"));
            File.Move(temp, link, overwrite: true);
        }

        LiveVersion = version;
    }

    public DeploymentContext Context(int version) => new(Name, Domains, SerialOf(version), LiveDirectory);

    /// <summary>The store's rollback as the deployer sees it: live goes back one version.</summary>
    public Task<LiveRollbackResult> RollBackAsync(DeploymentContext context, CancellationToken cancellationToken)
    {
        _rollbacks.Add(context);
        if (LiveVersion <= 1)
        {
            return Task.FromResult<LiveRollbackResult>(new LiveRollbackResult.NoPreviousVersion());
        }

        SwitchTo(LiveVersion - 1);
        return Task.FromResult<LiveRollbackResult>(new LiveRollbackResult.RolledBack(SerialOf(LiveVersion)));
    }

    private string ArchivePath(string kind, int version) => Path.Combine(ArchiveDirectory, $"{kind}{version}.pem");

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
