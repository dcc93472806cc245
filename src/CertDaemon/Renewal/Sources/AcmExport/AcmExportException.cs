namespace CertDaemon.Renewal.Sources.AcmExport;

/// <summary>
/// An <c>acm-export</c> certificate could not be obtained: the message names the certificate, the ACM ARN when there is
/// one, what went wrong and that nothing local was changed.
/// </summary>
internal sealed class AcmExportException : Exception
{
    public AcmExportException(string certificateName, string? arn, string problem, Exception? innerException = null)
        : base($"certificate '{certificateName}'{(arn is null ? "" : $" (ACM {arn})")}: {problem}; the live files were not changed", innerException)
    {
        CertificateName = certificateName;
        Arn = arn;
    }

    public AcmExportException()
    {
        CertificateName = string.Empty;
    }

    public AcmExportException(string message)
        : base(message)
    {
        CertificateName = string.Empty;
    }

    public AcmExportException(string message, Exception innerException)
        : base(message, innerException)
    {
        CertificateName = string.Empty;
    }

    public string CertificateName { get; }

    public string? Arn { get; }
}
