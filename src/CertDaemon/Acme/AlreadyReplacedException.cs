namespace CertDaemon.Acme;

/// <summary>
/// urn:ietf:params:acme:error:alreadyReplaced (RFC 9773 5): the certificate named in the order's "replaces" was
/// already replaced by another order. The caller should retry the order without "replaces".
/// </summary>
internal sealed class AlreadyReplacedException(AcmeProblem problem, HttpMethod method, Uri requestUrl, int httpStatus)
    : AcmeProblemException(problem, method, requestUrl, httpStatus);
