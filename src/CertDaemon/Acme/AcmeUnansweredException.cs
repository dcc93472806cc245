namespace CertDaemon.Acme;

/// <summary>
/// The CA did not answer one HTTP request in time (it accepted the connection and then said nothing, or the TLS
/// handshake or the response stalled). An error, never a cancellation: the operator did not cancel anything.
/// </summary>
internal sealed class AcmeUnansweredException(HttpMethod method, Uri requestUrl, TimeSpan timeout, Exception innerException)
    : AcmeException($"the CA did not answer {method} {requestUrl} within {timeout.TotalSeconds:0.#} s (connect, TLS handshake or response): check that the directory URL is an ACME server and reachable", innerException)
{
    public HttpMethod Method { get; } = method;

    public Uri RequestUrl { get; } = requestUrl;
}
