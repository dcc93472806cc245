using CertDaemon.Kernel;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Certbot;

/// <summary>What a certificate file says, as CertDaemon's configuration and state spell it.</summary>
/// <param name="Domains">The DNS names (subject alternative names), lower case, in the certificate's order.</param>
/// <param name="KeyType">The key type, or null for a key CertDaemon cannot issue (e.g. RSA 1024, P-521).</param>
/// <param name="KeyDescription">The key as people say it (<c>ECDSA P-256</c>, <c>RSA 2048</c>).</param>
/// <param name="Serial">Serial number, lower-case hex.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="AriCertificateId">The RFC 9773 CertID, or null when the certificate has no Authority Key Identifier.</param>
/// <param name="Issuer">The issuer's distinguished name.</param>
internal sealed record LiveCertificateFacts(
    IReadOnlyList<string> Domains,
    KeyType? KeyType,
    string KeyDescription,
    string Serial,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string? AriCertificateId,
    string Issuer)
{
    /// <summary>Reads the first certificate of <paramref name="pem"/>.</summary>
    /// <exception cref="CertbotConfigurationException">No certificate in the text.</exception>
    public static LiveCertificateFacts FromPem(string pem, string where)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new CertbotConfigurationException($"{where} holds no PEM certificate");
        }

        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(pem[fields.Base64Data]));
        return FromCertificate(certificate);
    }

    public static LiveCertificateFacts FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var names = new List<string>();
        foreach (var san in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(san.EnumerateDnsNames().Select(n => n.ToLowerInvariant()).Where(n => !names.Contains(n)));
        }

        var (keyType, description) = KeyOf(certificate);
        string? ari;
        try
        {
            ari = Acme.AriCertificateId.FromCertificate(certificate).Value;
        }
        catch (ArgumentException)
        {
            // No Authority Key Identifier (self-signed test certificates): ARI cannot be asked about it.
            ari = null;
        }

        return new LiveCertificateFacts(
            names,
            keyType,
            description,
            certificate.SerialNumber.ToLowerInvariant(),
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime()),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime()),
            ari,
            certificate.Issuer);
    }

    private static (KeyType?, string) KeyOf(X509Certificate2 certificate)
    {
        using (var ec = certificate.GetECDsaPublicKey())
        {
            if (ec is not null)
            {
                return ec.KeySize switch
                {
                    256 => (Kernel.KeyType.Ec256, "ECDSA P-256"),
                    384 => (Kernel.KeyType.Ec384, "ECDSA P-384"),
                    var size => (null, $"ECDSA {size}-bit"),
                };
            }
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa?.KeySize switch
        {
            2048 => (Kernel.KeyType.Rsa2048, "RSA 2048"),
            3072 => (Kernel.KeyType.Rsa3072, "RSA 3072"),
            4096 => (Kernel.KeyType.Rsa4096, "RSA 4096"),
            { } size => (null, $"RSA {size}"),
            null => (null, certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown key"),
        };
    }
}
