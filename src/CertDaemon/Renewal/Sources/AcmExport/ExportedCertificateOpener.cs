using CertDaemon.Kernel;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Aws.Acm;
using CertDaemon.Issuance;

namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>
/// Turns what ExportCertificate returned into a verified <see cref="IssuedCertificate"/>: the PKCS#8 key is decrypted
/// in memory with the passphrase we sent (never written encrypted or with the passphrase), and the certificate is
/// accepted only if its public key is that key, its key type is the configured one, its names are exactly the
/// configured ones, it is valid now, and (in production) it chains to the system trust store.
/// </summary>
internal static class ExportedCertificateOpener
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <param name="trustWithoutSystemStore">Test-only (<c>Testing.AcmExportSkipChainTrust</c>): skip the chain-to-trust-store check.</param>
    /// <exception cref="AcmExportException">The key cannot be decrypted or the certificate fails a check.</exception>
    public static IssuedCertificate Open(
        string name, string arn, IReadOnlyList<string> domains, KeyType keyType, AcmExportedCertificate exported, ReadOnlySpan<byte> passphrase,
        bool trustWithoutSystemStore, DateTimeOffset now)
    {
        using var leaf = LoadLeaf(name, arn, exported.CertificatePem);
        var chain = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(exported.CertificateChainPem))
        {
            chain.ImportFromPem(exported.CertificateChainPem);
        }

        try
        {
            using var key = Decrypt(name, arn, leaf, exported.EncryptedPrivateKeyPem, passphrase);
            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(leaf.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                throw new AcmExportException(name, arn, "the exported private key does not belong to the exported certificate");
            }

            var actualType = KeyTypeOf(key);
            if (actualType != keyType)
            {
                throw new AcmExportException(name, arn, $"ACM issued a {Kernel.KeyTypeNames.ToName(actualType)} key, the configuration asks for {Kernel.KeyTypeNames.ToName(keyType)}");
            }

            var names = IssuedCertificateVerifier.DnsNames(leaf);
            if (!names.SetEquals(domains))
            {
                throw new AcmExportException(name, arn, $"its names ({string.Join(", ", names.Order(StringComparer.Ordinal))}) differ from the configured ones ({string.Join(", ", domains)})");
            }

            if (now < leaf.NotBefore.ToUniversalTime() - ClockSkew || now > leaf.NotAfter.ToUniversalTime())
            {
                throw new AcmExportException(name, arn, $"it is not valid now: valid from {leaf.NotBefore.ToUniversalTime():O} to {leaf.NotAfter.ToUniversalTime():O}");
            }

            if (!trustWithoutSystemStore)
            {
                VerifyChainToSystemTrust(name, arn, leaf, chain, now);
            }

            // nginx needs the intermediates; a self-signed root at the end is left out (clients have it already).
            var intermediates = chain.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData) == false).ToList();
            return new IssuedCertificate(
                name,
                domains,
                keyType,
                leaf.ExportCertificatePem() + "\n",
                string.Concat(intermediates.Select(c => c.ExportCertificatePem() + "\n")),
                key.ExportPkcs8PrivateKeyPem(),
                leaf.SerialNumber.ToLowerInvariant(),
                leaf.NotBefore.ToUniversalTime(),
                leaf.NotAfter.ToUniversalTime(),
                AriCertificateId: null,
                CertificateUrl: null);
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }

    private static X509Certificate2 LoadLeaf(string name, string arn, string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException exception)
        {
            throw new AcmExportException(name, arn, "ACM exported a certificate that is not readable PEM", exception);
        }
    }

    private static AsymmetricAlgorithm Decrypt(string name, string arn, X509Certificate2 leaf, string encryptedPem, ReadOnlySpan<byte> passphrase)
    {
        AsymmetricAlgorithm key = leaf.GetECDsaPublicKey() is { } ec ? Dispose(ec, ECDsa.Create()) : RSA.Create();
        try
        {
            key.ImportFromEncryptedPem(encryptedPem, passphrase);
            return key;
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            key.Dispose();
            throw new AcmExportException(name, arn, "the private key ACM exported could not be decrypted with the passphrase sent (" + exception.Message + ")", exception);
        }
    }

    private static ECDsa Dispose(ECDsa publicKey, ECDsa fresh)
    {
        publicKey.Dispose();
        return fresh;
    }

    private static KeyType KeyTypeOf(AsymmetricAlgorithm key) => key switch
    {
        ECDsa { KeySize: 256 } => KeyType.Ec256,
        ECDsa { KeySize: 384 } => KeyType.Ec384,
        RSA { KeySize: 2048 } => KeyType.Rsa2048,
        RSA { KeySize: 3072 } => KeyType.Rsa3072,
        RSA { KeySize: 4096 } => KeyType.Rsa4096,
        _ => throw new CryptographicException($"unsupported key: {key.GetType().Name} of {key.KeySize} bits"),
    };

    private static void VerifyChainToSystemTrust(string name, string arn, X509Certificate2 leaf, X509Certificate2Collection chain, DateTimeOffset now)
    {
        using var builder = new X509Chain();
        builder.ChainPolicy.ExtraStore.AddRange(chain);
        builder.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        builder.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!builder.Build(leaf))
        {
            var problems = string.Join("; ", builder.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
            throw new AcmExportException(name, arn, "the exported certificate does not chain to a root in the system trust store (" + problems + ")");
        }
    }
}
