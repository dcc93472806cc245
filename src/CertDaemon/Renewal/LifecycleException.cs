namespace CertDaemon.Renewal;

/// <summary>
/// An issue-and-deploy run failed; the message says what failed and what was left untouched (CLI exit code 1).
/// </summary>
public sealed class LifecycleException : Exception
{
    public LifecycleException(string certificateName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        CertificateName = certificateName;
    }

    public LifecycleException()
    {
        CertificateName = string.Empty;
    }

    public LifecycleException(string message) : base(message)
    {
        CertificateName = string.Empty;
    }

    public LifecycleException(string message, Exception innerException) : base(message, innerException)
    {
        CertificateName = string.Empty;
    }

    public string CertificateName { get; }
}
