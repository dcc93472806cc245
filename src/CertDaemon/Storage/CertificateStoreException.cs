namespace CertDaemon.Storage;

/// <summary>
/// A store operation failed. The message says which step, on which path, and what was left live; the
/// <see cref="Exception.InnerException"/> is the underlying I/O error.
/// </summary>
internal class CertificateStoreException : Exception
{
    public CertificateStoreException(string certificateName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        CertificateName = certificateName;
    }

    public CertificateStoreException()
    {
        CertificateName = string.Empty;
    }

    public CertificateStoreException(string message) : base(message)
    {
        CertificateName = string.Empty;
    }

    public CertificateStoreException(string message, Exception innerException) : base(message, innerException)
    {
        CertificateName = string.Empty;
    }

    /// <summary>The lineage the operation was for.</summary>
    public string CertificateName { get; }

    /// <summary>The step of a switch that failed (e.g. <c>write archive/NAME/cert5.pem</c>), when the failure was one; the message names it too.</summary>
    public string? Step { get; init; }
}
