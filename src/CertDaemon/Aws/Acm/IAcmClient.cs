namespace CertDaemon.Aws.Acm;

/// <summary>
/// The AWS Certificate Manager calls CertDaemon needs, in one region (JSON 1.1, <c>X-Amz-Target: CertificateManager.*</c>).
/// </summary>
/// <remarks>
/// <para>Obligations of every implementation:</para>
/// <list type="bullet">
/// <item>Errors from ACM surface as <see cref="AwsServiceException"/> whose <see cref="AwsServiceException.Code"/> has
/// no <c>...#</c> prefix (e.g. <c>ResourceNotFoundException</c>); an answer in no ACM format is an
/// <see cref="AwsResponseFormatException"/>. Throttling and server faults are retried below this interface, except
/// that an import <b>without</b> an ARN is repeated only after throttling (it is not idempotent: a repeat after a lost
/// answer would create a second certificate), so its callers must look for the effect before importing again.</item>
/// <item>Serials come back normalised (<see cref="AcmSerial"/>): lower-case hex, no separators, whatever form the
/// service used (AWS: colon-separated hex; moto: decimal).</item>
/// <item>Nothing is cached: every call asks the service.</item>
/// </list>
/// </remarks>
internal interface IAcmClient
{
    /// <summary>The region this client talks to, e.g. <c>us-east-1</c>.</summary>
    string Region { get; }

    /// <summary>
    /// ImportCertificate. With <see cref="AcmImportRequest.CertificateArn"/> the certificate is replaced in place (same
    /// ARN, every listener and distribution stays attached); without, a new certificate (and ARN) is created.
    /// </summary>
    /// <returns>The certificate's ARN.</returns>
    Task<string> ImportCertificateAsync(AcmImportRequest request, CancellationToken cancellationToken);

    /// <summary>DescribeCertificate. <c>ResourceNotFoundException</c> when the ARN does not exist (in this region).</summary>
    Task<AcmCertificateDetail> DescribeCertificateAsync(string certificateArn, CancellationToken cancellationToken);

    /// <summary>
    /// One page of ListCertificates. <paramref name="keyTypes"/> goes to <c>Includes.keyTypes</c>: AWS lists only
    /// RSA_1024/RSA_2048 certificates when it is absent, so pass <see cref="AcmKeyAlgorithms.All"/> to see every one.
    /// </summary>
    Task<AcmCertificatePage> ListCertificatesAsync(IReadOnlyList<string>? keyTypes, string? nextToken, int? maxItems, CancellationToken cancellationToken);

    /// <summary>ListTagsForCertificate: key to value (a tag without value maps to the empty string).</summary>
    Task<IReadOnlyDictionary<string, string>> ListTagsForCertificateAsync(string certificateArn, CancellationToken cancellationToken);

    /// <summary>
    /// RequestCertificate with DNS validation. Not idempotent by itself (each call may create a certificate that is
    /// charged for): repeated only after throttling, and within an hour ACM treats calls with the same
    /// <see cref="AcmCertificateRequest.IdempotencyToken"/> as one request.
    /// </summary>
    /// <returns>The new certificate's ARN.</returns>
    Task<string> RequestCertificateAsync(AcmCertificateRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// ExportCertificate: the certificate, its chain and the private key as encrypted PKCS#8 PEM under
    /// <paramref name="passphrase"/> (4 to 128 bytes). Each call is charged for an exportable public certificate.
    /// </summary>
    Task<AcmExportedCertificate> ExportCertificateAsync(string certificateArn, ReadOnlyMemory<byte> passphrase, CancellationToken cancellationToken);

    /// <summary>RenewCertificate: asks ACM to renew an eligible certificate now (managed renewal); charged per name for exportable ones.</summary>
    Task RenewCertificateAsync(string certificateArn, CancellationToken cancellationToken);

    /// <summary>AddTagsToCertificate: adds the tags or overwrites the values of existing keys; other tags stay.</summary>
    Task AddTagsToCertificateAsync(string certificateArn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);
}
