namespace CertDaemon.Fleet;

/// <summary>
/// The fleet store could not be used: unreachable, access denied, a KMS refusal, or an answer that is not what was
/// stored (a file whose SHA-256 differs from the manifest). The message names the bucket, key and what to check.
/// Whatever is installed locally stays as it is.
/// </summary>
internal sealed class FleetStoreException : Exception
{
    public FleetStoreException(string message, Exception? inner)
        : base(message, inner)
    {
    }

    public FleetStoreException()
    {
    }

    public FleetStoreException(string message)
        : base(message)
    {
    }
}
