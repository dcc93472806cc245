namespace CertDaemon.Logging;

/// <summary>
/// Stands in for a logged exception whose text contained a secret: <see cref="ToString"/> is the original's
/// <c>ToString()</c> (type, message, stack, inner exceptions) with the secret replaced, and
/// <see cref="Exception.InnerException"/> is a redacted stand-in for the original's, so a reader that walks the chain
/// (the short form, <see cref="ExceptionSummary"/>) still sees each cause's type and message, never the secret.
/// </summary>
internal sealed class RedactedException : Exception
{
    /// <summary>Deeper causes are not given stand-ins of their own (their text is still in <see cref="ToString"/>).</summary>
    private const int MaxDepth = 16;

    private readonly string _text;

    public RedactedException(Exception original)
        : this(original ?? throw new ArgumentNullException(nameof(original)), depth: 0)
    {
    }

    private RedactedException(Exception original, int depth)
        : base(
            SecretRedactor.Redact(original.Message),
            original.InnerException is { } inner && depth < MaxDepth ? new RedactedException(inner, depth + 1) : null)
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
