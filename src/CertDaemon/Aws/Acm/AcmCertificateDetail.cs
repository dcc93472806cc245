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
    string? Status)
{
    /// <summary>Start of validity; null when absent (before issuance).</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>Per name: the DNS record ACM validates with (may appear a few seconds after RequestCertificate) and its status.</summary>
    public IReadOnlyList<AcmDomainValidation> DomainValidations { get; init; } = [];

    /// <summary><c>ELIGIBLE</c> or <c>INELIGIBLE</c> for ACM's managed renewal; null when absent.</summary>
    public string? RenewalEligibility { get; init; }

    /// <summary>The managed renewal's status (<c>PENDING_AUTO_RENEWAL</c>, <c>SUCCESS</c>, <c>FAILED</c>, ...); null when none is under way.</summary>
    public string? RenewalStatus { get; init; }

    /// <summary><c>ENABLED</c> for an exportable public certificate; null when absent.</summary>
    public string? ExportOption { get; init; }

    /// <summary>Why a request failed (<c>CAA_ERROR</c>, <c>DOMAIN_NOT_ALLOWED</c>, ...); null otherwise.</summary>
    public string? FailureReason { get; init; }
}
