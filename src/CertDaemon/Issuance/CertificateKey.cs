using System.Security.Cryptography;
using CertDaemon.Kernel;

namespace CertDaemon.Issuance;

/// <summary>A freshly generated certificate private key of one <see cref="KeyType"/>.</summary>
internal sealed class CertificateKey : IDisposable
{
    private CertificateKey(KeyType keyType, AsymmetricAlgorithm key)
    {
        KeyType = keyType;
        Key = key;
    }

    public KeyType KeyType { get; }

    /// <summary>An <see cref="ECDsa"/> or <see cref="RSA"/> instance.</summary>
    public AsymmetricAlgorithm Key { get; }

    public static CertificateKey Generate(KeyType keyType) => keyType switch
    {
        KeyType.Ec256 => new(keyType, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        KeyType.Ec384 => new(keyType, ECDsa.Create(ECCurve.NamedCurves.nistP384)),
        KeyType.Rsa2048 => new(keyType, RSA.Create(2048)),
        KeyType.Rsa3072 => new(keyType, RSA.Create(3072)),
        KeyType.Rsa4096 => new(keyType, RSA.Create(4096)),
        _ => throw new ArgumentOutOfRangeException(nameof(keyType), keyType, "unknown key type; expected ec256, ec384, rsa2048, rsa3072 or rsa4096"),
    };

    /// <summary>Unencrypted PKCS#8 PEM (<c>BEGIN PRIVATE KEY</c>), the form nginx and ACM both accept.</summary>
    public string ExportPkcs8Pem() => Key.ExportPkcs8PrivateKeyPem() + "\n";

    /// <summary>The SubjectPublicKeyInfo DER, to compare with a certificate's public key.</summary>
    public byte[] ExportSubjectPublicKeyInfo() => Key.ExportSubjectPublicKeyInfo();

    public void Dispose() => Key.Dispose();
}
