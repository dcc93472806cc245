namespace CertDaemon.Acme;

/// <summary>The text given as an account key is not a usable PKCS#8 PEM key (garbage, encrypted, an unsupported curve, a short RSA key).</summary>
internal sealed class AccountKeyFormatException : AcmeException
{
    public AccountKeyFormatException(string message)
        : base(message)
    {
    }

    public AccountKeyFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
