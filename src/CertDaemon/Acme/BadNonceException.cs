namespace CertDaemon.Acme;

/// <summary>
/// urn:ietf:params:acme:error:badNonce (RFC 8555 6.5). The client retries these itself with a fresh nonce; callers see
/// one only when the bounded retries ran out.
/// </summary>
internal sealed class BadNonceException(AcmeProblem problem, HttpMethod method, Uri requestUrl, int httpStatus)
    : AcmeProblemException(problem, method, requestUrl, httpStatus);
