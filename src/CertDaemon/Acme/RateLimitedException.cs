namespace CertDaemon.Acme;

/// <summary>
/// urn:ietf:params:acme:error:rateLimited (RFC 8555 6.6). Never retried automatically: the caller schedules the next
/// attempt no earlier than <see cref="RetryAfter"/> (from the Retry-After header, seconds or HTTP date; null if absent).
/// </summary>
internal sealed class RateLimitedException(AcmeProblem problem, HttpMethod method, Uri requestUrl, int httpStatus, DateTimeOffset? retryAfter)
    : AcmeProblemException(problem, method, requestUrl, httpStatus)
{
    public DateTimeOffset? RetryAfter { get; } = retryAfter;

    public override string Message => RetryAfter is { } at ? $"{base.Message} (retry after {at:O})" : base.Message;
}
