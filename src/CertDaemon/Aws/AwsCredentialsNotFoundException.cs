namespace CertDaemon.Aws;

/// <summary>
/// The standard AWS credential chain found nothing usable. The message lists every source that was tried, in the
/// SDK's order, with the concrete file paths and profile name, so an operator can fix the one they meant to use.
/// </summary>
internal sealed class AwsCredentialsNotFoundException : Exception
{
    public AwsCredentialsNotFoundException()
    {
    }

    public AwsCredentialsNotFoundException(string message) : base(message)
    {
    }

    public AwsCredentialsNotFoundException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
