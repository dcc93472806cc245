using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Storage;

/// <summary>
/// Refuses a set that must never become live: exactly one certificate in the cert part, a chain of at least one
/// certificate whose first is the certificate's issuer, and a private key whose public key is the certificate's.
/// </summary>
internal static class CertificateMaterialVerifier
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaOid = "1.2.840.113549.1.1.1";

    public static VerifiedCertificate Verify(string name, CertificateMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        var certificates = ParseCertificates(name, "certificate", material.CertificatePem);
        var chain = ParseCertificates(name, "chain", material.ChainPem);
        try
        {
            if (certificates.Count != 1)
            {
                throw new CertificateMaterialException(name, $"The certificate part of '{name}' holds {certificates.Count} certificates; exactly one is expected.");
            }

            var leaf = certificates[0];
            if (chain.Count == 0)
            {
                throw new CertificateMaterialException(name, $"The chain of '{name}' holds no certificate.");
            }

            // RFC 5280 7.1: names match after canonicalisation; the same name may be a PrintableString in one
            // certificate and a UTF8String in the other (ACM's exports), so equal bytes are not required.
            if (!leaf.IssuerName.RawData.AsSpan().SequenceEqual(chain[0].SubjectName.RawData)
                && !string.Equals(leaf.IssuerName.Name, chain[0].SubjectName.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw new CertificateMaterialException(
                    name, $"The chain of '{name}' does not start with the certificate's issuer ('{leaf.Issuer}' expected, '{chain[0].Subject}' found).");
            }

            VerifyKeyMatches(name, leaf, material.PrivateKeyPem);
            return new VerifiedCertificate(leaf.SerialNumber.ToLowerInvariant(), new DateTimeOffset(leaf.NotBefore.ToUniversalTime()), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        }
        finally
        {
            foreach (var certificate in certificates.Concat(chain))
            {
                certificate.Dispose();
            }
        }
    }

    private static List<X509Certificate2> ParseCertificates(string name, string part, string pem)
    {
        var result = new List<X509Certificate2>();
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label.SequenceEqual("CERTIFICATE"))
            {
                try
                {
                    result.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString())));
                }
                catch (CryptographicException e)
                {
                    DisposeAll(result);
                    throw new CertificateMaterialException(name, $"The {part} of '{name}' holds a certificate that does not parse: {e.Message}", e);
                }
            }
            else
            {
                DisposeAll(result);
                throw new CertificateMaterialException(name, $"The {part} of '{name}' holds a '{label}' block; only certificates belong there.");
            }

            rest = rest[fields.Location.End..];
        }

        if (result.Count == 0 && part == "certificate")
        {
            throw new CertificateMaterialException(name, $"The {part} of '{name}' holds no PEM certificate.");
        }

        return result;
    }

    private static void VerifyKeyMatches(string name, X509Certificate2 leaf, string privateKeyPem)
    {
        using AsymmetricAlgorithm key = leaf.GetKeyAlgorithm() switch
        {
            EcPublicKeyOid => ECDsa.Create(),
            RsaOid => RSA.Create(),
            var other => throw new CertificateMaterialException(name, $"The certificate of '{name}' has a key of type {other}; only EC and RSA are supported."),
        };
        try
        {
            key.ImportFromPem(privateKeyPem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            // The message of these exceptions never contains key material, only what was wrong with the PEM.
            throw new CertificateMaterialException(name, $"The private key of '{name}' does not parse as an unencrypted key of the certificate's type: {e.Message}", e);
        }

        var fromKey = key.ExportSubjectPublicKeyInfo();
        var fromCertificate = leaf.PublicKey.ExportSubjectPublicKeyInfo();
        if (!fromKey.AsSpan().SequenceEqual(fromCertificate))
        {
            throw new CertificateMaterialException(name, $"The private key of '{name}' does not belong to its certificate (serial {leaf.SerialNumber}).");
        }
    }

    private static void DisposeAll(List<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
