using System.Net;
using System.Net.Http.Headers;

namespace CertDaemon.Acme;

/// <summary>What the client keeps of one HTTP answer: status, the headers ACME cares about, and the whole body.</summary>
internal sealed record AcmeHttpResponse(
    HttpMethod Method,
    Uri RequestUrl,
    HttpStatusCode StatusCode,
    string? MediaType,
    Uri? Location,
    RetryConditionHeaderValue? RetryAfterHeader,
    IReadOnlyList<string> LinkHeaders,
    string? ReplayNonce,
    byte[] Body)
{
    public bool IsSuccess => (int)StatusCode is >= 200 and < 300;

    /// <summary>Location resolved against the request URL (RFC 9110 10.2.2 allows relative references).</summary>
    public Uri RequireLocation() => Location is null
        ? throw new AcmeProtocolException(RequestUrl, $"HTTP {(int)StatusCode} without the Location header RFC 8555 requires")
        : Location.IsAbsoluteUri ? Location : new Uri(RequestUrl, Location);

    /// <summary>Retry-After as an absolute time: seconds from <paramref name="now"/> or an HTTP date (RFC 9110 10.2.3).</summary>
    public DateTimeOffset? RetryAfter(DateTimeOffset now) => RetryAfterHeader switch
    {
        { Delta: { } delta } => now + delta,
        { Date: { } date } => date,
        _ => null,
    };
}
