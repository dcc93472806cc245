using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Issuance;

/// <summary>
/// Accept nothing unverified: before a certificate leaves the issuance layer its public key must be ours, its
/// names exactly the requested ones, each certificate signed by the next one of the returned chain, and it must
/// be valid now. Pure apart from the clock it is given.
/// </summary>
internal static class IssuedCertificateVerifier
{
    /// <summary>Tolerated clock difference between us and the CA when checking NotBefore.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <exception cref="CertificateVerificationException">with the first problem found.</exception>
    public static void Verify(
        string certificateName, IReadOnlyList<X509Certificate2> chain, ReadOnlySpan<byte> ourSubjectPublicKeyInfo,
        IReadOnlyList<string> requestedDomains, DateTimeOffset now)
    {
        if (chain.Count == 0)
        {
            throw new CertificateVerificationException(certificateName, "the CA returned no certificate");
        }

        var leaf = chain[0];
        if (!leaf.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(ourSubjectPublicKeyInfo))
        {
            throw new CertificateVerificationException(certificateName, "its public key is not the key we generated");
        }

        var names = DnsNames(leaf);
        var requested = new HashSet<string>(requestedDomains, StringComparer.OrdinalIgnoreCase);
        var missing = requested.Where(n => !names.Contains(n)).Order(StringComparer.Ordinal).ToList();
        var extra = names.Where(n => !requested.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
            {
                parts.Add("missing " + string.Join(", ", missing));
            }

            if (extra.Count > 0)
            {
                parts.Add("not requested " + string.Join(", ", extra));
            }

            throw new CertificateVerificationException(certificateName, "its names differ from the request: " + string.Join("; ", parts));
        }

        if (now < leaf.NotBefore.ToUniversalTime() - ClockSkew || now > leaf.NotAfter.ToUniversalTime())
        {
            throw new CertificateVerificationException(
                certificateName, $"it is not valid now ({now:O}): valid from {leaf.NotBefore.ToUniversalTime():O} to {leaf.NotAfter.ToUniversalTime():O}");
        }

        if (chain.Count == 1)
        {
            throw new CertificateVerificationException(certificateName, "the CA returned no intermediate certificate to chain through");
        }

        for (var i = 0; i + 1 < chain.Count; i++)
        {
            var child = chain[i];
            var issuer = chain[i + 1];
            if (!child.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                throw new CertificateVerificationException(
                    certificateName, $"chain position {i} is issued by '{child.Issuer}', but the next certificate is '{issuer.Subject}'");
            }

            if (!IsCertificateAuthority(issuer))
            {
                throw new CertificateVerificationException(certificateName, $"chain certificate '{issuer.Subject}' is not a CA certificate");
            }

            if (!IsSignedBy(child, issuer))
            {
                throw new CertificateVerificationException(certificateName, $"the signature on '{child.Subject}' does not verify with the key of '{issuer.Subject}'");
            }
        }
    }

    /// <summary>The certificate's DNS SANs, lowercased.</summary>
    public static HashSet<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (var name in san.EnumerateDnsNames())
                {
                    names.Add(name.ToLowerInvariant());
                }
            }
        }

        return names;
    }

    private static bool IsCertificateAuthority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    /// <summary>RFC 5280 4.1: verifies signatureValue over the DER tbsCertificate with the issuer's public key.</summary>
    internal static bool IsSignedBy(X509Certificate2 child, X509Certificate2 issuer)
    {
        var reader = new AsnReader(child.RawData, AsnEncodingRules.DER);
        var certificate = reader.ReadSequence();
        var tbs = certificate.ReadEncodedValue();
        var algorithm = certificate.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var signature = certificate.ReadBitString(out _);

        var hash = oid switch
        {
            "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
            _ => throw new CryptographicException($"unsupported certificate signature algorithm {oid}"),
        };
        if (oid.StartsWith("1.2.840.10045.", StringComparison.Ordinal))
        {
            using var ec = issuer.GetECDsaPublicKey();
            return ec is not null && ec.VerifyData(tbs.Span, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = issuer.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(tbs.Span, signature, hash, RSASignaturePadding.Pkcs1);
    }
}
