using System.Security.Cryptography.X509Certificates;
using CertDaemon.Kernel;

namespace CertDaemon.Aws.Acm;

/// <summary>
/// ACM's key algorithm names (<c>KeyAlgorithm</c> in DescribeCertificate, <c>Includes.keyTypes</c> in
/// ListCertificates). ACM keeps a certificate's algorithm across re-imports: a certificate that has an ARN can be
/// replaced only by one with the same algorithm. Pure functions, usable by the configuration validator and the CLI.
/// </summary>
internal static class AcmKeyAlgorithms
{
    public const string Rsa1024 = "RSA_1024";
    public const string Rsa2048 = "RSA_2048";
    public const string Rsa3072 = "RSA_3072";
    public const string Rsa4096 = "RSA_4096";
    public const string EcPrime256v1 = "EC_prime256v1";
    public const string EcSecp384r1 = "EC_secp384r1";
    public const string EcSecp521r1 = "EC_secp521r1";

    /// <summary>
    /// Every type ListCertificates can filter on. Passed as <c>Includes.keyTypes</c>, because without it AWS lists only
    /// RSA_1024 and RSA_2048 certificates and an EC certificate could never be found again by its tag.
    /// </summary>
    public static IReadOnlyList<string> All { get; } = [Rsa1024, Rsa2048, Rsa3072, Rsa4096, EcPrime256v1, EcSecp384r1, EcSecp521r1];

    /// <summary>The ACM algorithm a certificate of <paramref name="keyType"/> gets, e.g. <c>ec256</c> -> <c>EC_prime256v1</c>.</summary>
    public static string FromKeyType(KeyType keyType) => keyType switch
    {
        KeyType.Ec256 => EcPrime256v1,
        KeyType.Ec384 => EcSecp384r1,
        KeyType.Rsa2048 => Rsa2048,
        KeyType.Rsa3072 => Rsa3072,
        KeyType.Rsa4096 => Rsa4096,
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "Unknown key type."),
    };

    /// <summary>The ACM algorithm of <paramref name="certificate"/>'s public key; null for a key ACM does not import.</summary>
    public static string? FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using (var rsa = certificate.GetRSAPublicKey())
        {
            if (rsa is not null)
            {
                return rsa.KeySize switch
                {
                    1024 => Rsa1024,
                    2048 => Rsa2048,
                    3072 => Rsa3072,
                    4096 => Rsa4096,
                    _ => null,
                };
            }
        }

        using var ec = certificate.GetECDsaPublicKey();
        if (ec is null)
        {
            return null;
        }

        // Named curves come back with an OID value, a friendly name, or both, depending on the platform's provider.
        var curve = ec.ExportParameters(false).Curve;
        return (curve.Oid.Value, curve.Oid.FriendlyName) switch
        {
            ("1.2.840.10045.3.1.7", _) or (_, "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1") => EcPrime256v1,
            ("1.3.132.0.34", _) or (_, "nistP384" or "ECDSA_P384" or "secp384r1") => EcSecp384r1,
            ("1.3.132.0.35", _) or (_, "nistP521" or "ECDSA_P521" or "secp521r1") => EcSecp521r1,
            _ => null,
        };
    }

    /// <summary>The configuration key type that yields <paramref name="algorithm"/>, for messages; null when none does.</summary>
    public static KeyType? ToKeyType(string? algorithm) => algorithm switch
    {
        EcPrime256v1 => KeyType.Ec256,
        EcSecp384r1 => KeyType.Ec384,
        Rsa2048 => KeyType.Rsa2048,
        Rsa3072 => KeyType.Rsa3072,
        Rsa4096 => KeyType.Rsa4096,
        _ => null,
    };
}
