namespace CertDaemon.Storage;

/// <summary>
/// A lock file stayed held by another holder for the whole wait: contention, as opposed to a lock file that could not
/// be opened at all (read-only or full file system), which is a plain <see cref="CertificateStoreException"/>.
/// </summary>
internal sealed class LockHeldException(string certificateName, string message, Exception innerException)
    : CertificateStoreException(certificateName, message, innerException);
