namespace CertDaemon.Aws.Acm;

/// <summary>What ExportCertificate returns: PEM text; the key is PKCS#8 encrypted under the passphrase given.</summary>
/// <param name="EncryptedPrivateKeyPem">Secret even encrypted: never logged.</param>
internal sealed record AcmExportedCertificate(string CertificatePem, string CertificateChainPem, string EncryptedPrivateKeyPem)
{
    public override string ToString() => "AcmExportedCertificate { (PEM, not shown) }";
}
