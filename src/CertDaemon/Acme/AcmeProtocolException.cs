namespace CertDaemon.Acme;

/// <summary>
/// The CA's answer does not follow the protocol: wrong content type, invalid JSON, a missing Location or Replay-Nonce
/// header, an unexpected status. The message says what was wrong and names the URL.
/// </summary>
internal sealed class AcmeProtocolException : AcmeException
{
    public AcmeProtocolException(Uri requestUrl, string problem, Exception? innerException = null)
        : base($"ACME server at {requestUrl} answered unexpectedly: {problem}", innerException)
    {
        RequestUrl = requestUrl;
    }

    public Uri RequestUrl { get; }
}
