namespace CertDaemon.Issuance;

/// <summary>The CA returned a certificate CertDaemon will not accept; nothing was stored.</summary>
internal sealed class CertificateVerificationException : Exception
{
    public CertificateVerificationException(string certificateName, string problem)
        : base($"certificate '{certificateName}' from the CA was refused: {problem}; nothing was stored")
    {
        CertificateName = certificateName;
        Problem = problem;
    }

    public CertificateVerificationException()
    {
        CertificateName = Problem = string.Empty;
    }

    public CertificateVerificationException(string message) : base(message)
    {
        CertificateName = Problem = string.Empty;
    }

    public CertificateVerificationException(string message, Exception innerException) : base(message, innerException)
    {
        CertificateName = Problem = string.Empty;
    }

    public string CertificateName { get; }

    /// <summary>What was wrong, e.g. "names differ: missing *.example.com".</summary>
    public string Problem { get; }
}
