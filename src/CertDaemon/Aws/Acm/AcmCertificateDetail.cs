namespace CertDaemon.Aws.Acm;

/// <summary>What DescribeCertificate says about one certificate (the fields CertDaemon uses).</summary>
/// <param name="Serial">Lower-case hex without separators or leading zeros (see <see cref="AcmSerial"/>); null when absent.</param>
/// <param name="InUseBy">ARNs of the resources using the certificate (load balancers, distributions, ...).</param>
/// <param name="Type"><c>IMPORTED</c>, <c>AMAZON_ISSUED</c> or <c>PRIVATE</c>.</param>
/// <param name="KeyAlgorithm">E.g. <c>RSA_2048</c>, <c>EC_prime256v1</c> (see <see cref="AcmKeyAlgorithms"/>).</param>
internal sealed record AcmCertificateDetail(
    string CertificateArn,
    string? DomainName,
    IReadOnlyList<string> SubjectAlternativeNames,
    string? Serial,
    DateTimeOffset? NotAfter,
    IReadOnlyList<string> InUseBy,
    string? Type,
    string? KeyAlgorithm,
    string? Status);
