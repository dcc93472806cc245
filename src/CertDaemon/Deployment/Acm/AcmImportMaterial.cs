using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Aws.Acm;

namespace CertDaemon.Deployment.Acm;

/// <summary>
/// What ACM is given for one version, read from the version's archived files (else the live directory) and put in the form ACM accepts: the leaf alone,
/// the chain without the leaf, the key as unencrypted PKCS#8 PEM (checked to belong to the leaf).
/// </summary>
internal sealed record AcmImportMaterial(string CertificatePem, string? ChainPem, string PrivateKeyPem, string KeyAlgorithm, DateTimeOffset NotAfter)
{
    /// <summary>Reads <paramref name="context"/>'s live files; a problem (unreadable, wrong serial, unsupported key) is returned as text.</summary>
    public static (AcmImportMaterial? Material, string? Problem) Read(DeploymentContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The archived version when known: it cannot change under us, whatever nginx's rollback did to live/.
        var certificatePath = context.Version?.CertificatePath ?? context.CertificatePath;
        var chainPath = context.Version?.ChainPath ?? context.ChainPath;
        var privateKeyPath = context.Version?.PrivateKeyPath ?? context.PrivateKeyPath;
        string certificateText, keyText;
        string? chainText;
        try
        {
            certificateText = File.ReadAllText(certificatePath);
            keyText = File.ReadAllText(privateKeyPath);
            chainText = File.Exists(chainPath) ? File.ReadAllText(chainPath) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"could not read {certificatePath} and its key: {e.Message}");
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPem(certificateText);
            if (!AcmSerial.AreEqual(leaf.SerialNumber, context.Serial))
            {
                return (null, $"{certificatePath} holds serial {leaf.SerialNumber.ToLowerInvariant()}, not {context.Serial} (the live version changed meanwhile?)");
            }

            var algorithm = AcmKeyAlgorithms.FromCertificate(leaf);
            if (algorithm is null)
            {
                return (null, $"the certificate's key ({leaf.PublicKey.Oid.FriendlyName}) is not a type ACM imports (RSA 1024-4096 or EC P-256/P-384/P-521)");
            }

            if (keyText.Contains("ENCRYPTED", StringComparison.Ordinal))
            {
                return (null, $"{privateKeyPath} is encrypted; ACM needs the key unencrypted");
            }

            var keyPem = ExportPkcs8(leaf, keyText);
            if (keyPem.Length > AcmImportRequest.MaxPrivateKeyBytes)
            {
                return (null, $"the private key is {keyPem.Length} bytes as PEM; ACM accepts at most {AcmImportRequest.MaxPrivateKeyBytes}");
            }

            var chain = new X509Certificate2Collection();
            if (!string.IsNullOrWhiteSpace(chainText))
            {
                chain.ImportFromPem(chainText);
            }

            // The chain sent to ACM excludes the leaf (ACM adds it itself); chain.pem should not hold it, but make sure.
            var intermediates = chain.Where(c => !c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)).Select(c => c.ExportCertificatePem()).ToList();
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }

            return (new AcmImportMaterial(
                leaf.ExportCertificatePem() + "\n",
                intermediates.Count == 0 ? null : string.Join("\n", intermediates) + "\n",
                keyPem,
                algorithm,
                leaf.NotAfter.ToUniversalTime()), null);
        }
        catch (CryptographicException e)
        {
            return (null, $"the live files of {context.CertificateName} are not a usable certificate and key: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return (null, $"the live files of {context.CertificateName} are not PEM as expected: {e.Message}");
        }
    }

    // ACM takes "PEM-encoded, unencrypted" keys; PKCS#8 is accepted for RSA and EC alike. Re-exporting also proves the
    // key belongs to the leaf (CopyWithPrivateKey refuses a key that does not match), which ACM would refuse late.
    private static string ExportPkcs8(X509Certificate2 leaf, string keyText)
    {
        using var rsa = leaf.GetRSAPublicKey();
        if (rsa is not null)
        {
            using var key = RSA.Create();
            key.ImportFromPem(keyText);
            using var paired = leaf.CopyWithPrivateKey(key);
            return key.ExportPkcs8PrivateKeyPem() + "\n";
        }

        using var ec = ECDsa.Create();
        ec.ImportFromPem(keyText);
        using var pairedEc = leaf.CopyWithPrivateKey(ec);
        return ec.ExportPkcs8PrivateKeyPem() + "\n";
    }

    // The key must never reach a log through the record's generated ToString.
    public override string ToString() => $"AcmImportMaterial {{ KeyAlgorithm = {KeyAlgorithm}, NotAfter = {NotAfter:O} }}";
}
