namespace CertDaemon.Aws.Acm;

/// <summary>One name of a DNS-validated ACM certificate: the CNAME ACM looks for (null until ACM has made it up) and the status.</summary>
/// <param name="ValidationStatus"><c>PENDING_VALIDATION</c>, <c>SUCCESS</c> or <c>FAILED</c>.</param>
/// <param name="RecordName">The CNAME's name, fully qualified with a trailing dot, e.g. <c>_x1.example.com.</c>.</param>
/// <param name="RecordValue">Its target, e.g. <c>_x2.acm-validations.aws.</c>.</param>
internal sealed record AcmDomainValidation(string DomainName, string? ValidationStatus, string? RecordName, string? RecordType, string? RecordValue);
