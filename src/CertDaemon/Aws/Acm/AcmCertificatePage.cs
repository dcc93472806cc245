namespace CertDaemon.Aws.Acm;

/// <summary>One page of ListCertificates; <paramref name="NextToken"/> is null on the last page.</summary>
internal sealed record AcmCertificatePage(IReadOnlyList<AcmCertificateSummary> Certificates, string? NextToken);
