namespace CertDaemon.Aws.Acm;

/// <summary>What ImportCertificate sends. The PEM texts go on the wire as base64 of their bytes (JSON blobs).</summary>
/// <param name="CertificateArn">The certificate to replace in place; null to create a new one.</param>
/// <param name="CertificatePem">The leaf alone (PEM).</param>
/// <param name="PrivateKeyPem">The leaf's key, unencrypted PEM, at most <see cref="MaxPrivateKeyBytes"/> bytes.</param>
/// <param name="CertificateChainPem">The intermediates, <b>without</b> the leaf; null for none.</param>
/// <param name="Tags">
/// Tags for a new certificate. ACM refuses tags on a re-import, so they must be null or empty when
/// <paramref name="CertificateArn"/> is set (use AddTagsToCertificate instead).
/// </param>
internal sealed record AcmImportRequest(
    string? CertificateArn,
    string CertificatePem,
    string PrivateKeyPem,
    string? CertificateChainPem,
    IReadOnlyDictionary<string, string>? Tags = null)
{
    /// <summary>ACM's limit on the private key blob.</summary>
    public const int MaxPrivateKeyBytes = 5120;

    /// <summary>ACM's limit on the certificate blob.</summary>
    public const int MaxCertificateBytes = 32768;

    /// <summary>ACM's limit on the chain blob.</summary>
    public const int MaxCertificateChainBytes = 2097152;

    // The key must never reach a log through the record's generated ToString.
    public override string ToString() =>
        $"AcmImportRequest {{ CertificateArn = {CertificateArn ?? "(new)"}, Tags = {Tags?.Count ?? 0} }}";
}
