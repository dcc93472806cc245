using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Sandbox;

/// <summary>
/// What certbot leaves on a host it managed: <c>archive/NAME/{cert,chain,fullchain,privkey}1.pem</c>,
/// <c>live/NAME/*.pem</c> links to them and <c>renewal/NAME.conf</c>. The certificate is a self-signed stand-in
/// (from a throwaway "old CA"), close to expiry as a neglected cron job would leave it. CertDaemon adopts such a
/// lineage: its first certificate becomes version 2, certbot's files stay untouched.
/// </summary>
internal static class CertbotLineage
{
    /// <summary>Writes the lineage and returns the stand-in's serial (lower-case hex).</summary>
    public static string Write(string certificateDirectory, string name, IReadOnlyList<string> domains, TimeProvider time)
    {
        var now = time.GetUtcNow();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Old certbot-era CA (sandbox stand-in)", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-400), now.AddDays(3650));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + domains[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var domain in domains)
        {
            san.AddDnsName(domain);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var leaf = request.Create(ca, now.AddDays(-80), now.AddDays(10), serial);

        var archive = Path.Combine(certificateDirectory, "archive", name);
        var live = Path.Combine(certificateDirectory, "live", name);
        Directory.CreateDirectory(archive, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(live, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var certPem = leaf.ExportCertificatePem() + "\n";
        var chainPem = ca.ExportCertificatePem() + "\n";
        File.WriteAllText(Path.Combine(archive, "cert1.pem"), certPem);
        File.WriteAllText(Path.Combine(archive, "chain1.pem"), chainPem);
        File.WriteAllText(Path.Combine(archive, "fullchain1.pem"), certPem + chainPem);
        var keyPath = Path.Combine(archive, "privkey1.pem");
        File.WriteAllText(keyPath, "");
        File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        foreach (var part in new[] { "cert", "chain", "fullchain", "privkey" })
        {
            File.CreateSymbolicLink(Path.Combine(live, part + ".pem"), $"../../archive/{name}/{part}1.pem");
        }

        Directory.CreateDirectory(Path.Combine(certificateDirectory, "renewal"));
        File.WriteAllText(
            Path.Combine(certificateDirectory, "renewal", name + ".conf"),
            $"# renew_before_expiry = 30 days\nversion = 2.1.0\narchive_dir = {archive}\ncert = {live}/cert.pem\nprivkey = {live}/privkey.pem\n" +
            $"chain = {live}/chain.pem\nfullchain = {live}/fullchain.pem\n\n[renewalparams]\nauthenticator = nginx\ninstaller = nginx\n");
        return leaf.SerialNumber.ToLowerInvariant();
    }
}
