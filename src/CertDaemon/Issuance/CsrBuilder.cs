using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Issuance;

/// <summary>
/// Builds the PKCS#10 request sent at finalize (RFC 8555 7.4): every name as a SAN, nothing else that a CA could
/// refuse. No Must-Staple (Let's Encrypt no longer runs OCSP).
/// </summary>
internal static class CsrBuilder
{
    public static byte[] Build(CertificateKey key, IReadOnlyList<string> domains)
    {
        ArgumentOutOfRangeException.ThrowIfZero(domains.Count);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var domain in domains)
        {
            san.AddDnsName(domain);
        }

        // The CN is optional for ACME CAs; include it only where it fits X.520's 64-character bound.
        var subject = domains[0].Length <= 64 ? new X500DistinguishedName("CN=" + domains[0]) : new X500DistinguishedName("");
        var request = key.Key switch
        {
            ECDsa ec => new CertificateRequest(subject, ec, ec.KeySize > 256 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("unsupported key algorithm", nameof(key)),
        };
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }
}
