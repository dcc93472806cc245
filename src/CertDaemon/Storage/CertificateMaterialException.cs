namespace CertDaemon.Storage;

/// <summary>
/// A certificate set was refused before anything was written: a part does not parse, the key does not belong
/// to the certificate, or the chain does not start with the certificate's issuer. Nothing on disk changed.
/// </summary>
internal sealed class CertificateMaterialException : CertificateStoreException
{
    public CertificateMaterialException(string certificateName, string message, Exception? innerException = null)
        : base(certificateName, message, innerException)
    {
    }

    public CertificateMaterialException()
    {
    }

    public CertificateMaterialException(string message) : base(message)
    {
    }

    public CertificateMaterialException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
