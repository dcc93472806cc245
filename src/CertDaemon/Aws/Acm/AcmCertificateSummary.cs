namespace CertDaemon.Aws.Acm;

/// <summary>One entry of ListCertificates. <paramref name="Type"/> and <paramref name="KeyAlgorithm"/> may be absent.</summary>
internal sealed record AcmCertificateSummary(string CertificateArn, string? DomainName, string? Type, string? KeyAlgorithm);
