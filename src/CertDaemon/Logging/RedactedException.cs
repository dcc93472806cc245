namespace CertDaemon.Logging;

/// <summary>
/// Stands in for a logged exception whose text contained a secret: <see cref="ToString"/> is the original's
/// <c>ToString()</c> (type, message, stack, inner exceptions) with the secret replaced.
/// </summary>
internal sealed class RedactedException : Exception
{
    private readonly string _text;

    public RedactedException(Exception original)
        : base(SecretRedactor.Redact((original ?? throw new ArgumentNullException(nameof(original))).Message))
    {
        _text = SecretRedactor.Redact(original.ToString());
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
    }

    public RedactedException()
        : this(new InvalidOperationException())
    {
    }

    public RedactedException(string message)
        : this(new InvalidOperationException(message))
    {
    }

    public RedactedException(string message, Exception innerException)
        : this(new InvalidOperationException(message, innerException))
    {
    }

    /// <summary>The full name of the exception type this replaced.</summary>
    public string OriginalType { get; }

    public override string ToString() => _text;
}
