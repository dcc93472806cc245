namespace CertDaemon.Acme;

/// <summary>A polled resource (authorization or order) did not leave its waiting state within the allowed time.</summary>
internal sealed class AcmeTimeoutException(Uri resourceUrl, TimeSpan timeout, AcmeStatus lastStatus)
    : AcmeException($"{resourceUrl} was still {AcmeStatusJsonConverter.Format(lastStatus)} after {timeout.TotalSeconds:0.#} s")
{
    public Uri ResourceUrl { get; } = resourceUrl;

    public TimeSpan Timeout { get; } = timeout;

    public AcmeStatus LastStatus { get; } = lastStatus;
}
