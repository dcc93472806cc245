namespace CertDaemon.Acme;

/// <summary>Base of every error the ACME protocol layer raises on purpose; catch this to handle "the CA step failed".</summary>
internal class AcmeException : Exception
{
    public AcmeException(string message)
        : base(message)
    {
    }

    public AcmeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
