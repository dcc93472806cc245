using CertDaemon.Kernel;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Configuration;
using CertDaemon.Issuance;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>
/// Rebuilds a certificate's state from its live files after its state file had to be set aside: what is live
/// (version, serial, names, key type, lifetime) becomes <see cref="CertificateState.Current"/>, so the certificate is
/// planned from what it really has instead of counting as missing. Deploy targets start unknown (not current), so
/// the next check deploys the live version again rather than trusting a guess.
/// </summary>
internal sealed class LiveStateRebuilder(CertDaemonOptions options, CertificateStore store)
{
    /// <summary>The rebuilt state, or null when nothing usable is live (the certificate then counts as missing).</summary>
    public CertificateState? Rebuild(string name)
    {
        StoredVersion? live;
        try
        {
            live = store.GetLive(name);
        }
        catch (CertificateStoreException)
        {
            return null;
        }

        if (live is null)
        {
            return null;
        }

        var current = Describe(live);
        var configured = options.Certificates.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        return new CertificateState
        {
            Name = name,
            // An ad-hoc certificate is known only from its state: keep managing the names it has.
            Domains = configured ? [] : current.Domains,
            KeyType = configured ? null : current.KeyType,
            History = [new CertificateHistoryEntry(live.Version, live.Serial, live.NotAfter, current.IssuedAt)],
            Current = current,
        };
    }

    /// <summary>
    /// <paramref name="version"/> as <see cref="CertificateState.Current"/>, from its certificate file. Its ARI CertID
    /// is not known here (the next order simply sends no <c>replaces</c>); the issue time is taken as its not-before.
    /// </summary>
    public CurrentCertificate Describe(StoredVersion version)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(version.CertificatePath));
        var domains = IssuedCertificateVerifier.DnsNames(certificate).Order(StringComparer.Ordinal).ToList();
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        return new CurrentCertificate(
            version.Version, version.Serial, domains, KeyTypeOf(certificate), notBefore, version.NotAfter,
            AriCertificateId: null, options.Acme.DirectoryUrl, notBefore);
    }

    private static string KeyTypeOf(X509Certificate2 certificate)
    {
        using (var ec = certificate.GetECDsaPublicKey())
        {
            if (ec is not null)
            {
                return ec.KeySize >= 384 ? KeyTypeNames.ToName(KeyType.Ec384) : KeyTypeNames.ToName(KeyType.Ec256);
            }
        }

        using var rsa = certificate.GetRSAPublicKey() ?? throw new CryptographicException("the live certificate has neither an EC nor an RSA key");
        return "rsa" + rsa.KeySize;
    }
}
