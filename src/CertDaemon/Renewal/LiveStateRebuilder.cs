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

        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(live.CertificatePath));
        var domains = IssuedCertificateVerifier.DnsNames(certificate).Order(StringComparer.Ordinal).ToList();
        var keyType = KeyTypeOf(certificate);
        var configured = options.Certificates.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        return new CertificateState
        {
            Name = name,
            // An ad-hoc certificate is known only from its state: keep managing the names it has.
            Domains = configured ? [] : domains,
            KeyType = configured ? null : keyType,
            History = [new CertificateHistoryEntry(live.Version, live.Serial, live.NotAfter, new DateTimeOffset(certificate.NotBefore.ToUniversalTime()))],
            Current = new CurrentCertificate(
                live.Version, live.Serial, domains, keyType, new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), live.NotAfter,
                AriCertificateId: null, options.Acme.DirectoryUrl, new DateTimeOffset(certificate.NotBefore.ToUniversalTime())),
        };
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
