namespace CertDaemon.Storage;

/// <summary>
/// <see cref="AtomicFile"/> replaced the file, but the directory fsync that makes the rename survive a power loss
/// failed: readers already see the new content, a power cut could bring the old content back.
/// </summary>
internal sealed class FileNotDurableException : IOException
{
    public FileNotDurableException()
    {
    }

    public FileNotDurableException(string message) : base(message)
    {
    }

    public FileNotDurableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
