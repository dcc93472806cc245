namespace CertDaemon.Acme;

/// <summary>
/// The CA answered a request with a problem document (RFC 8555 6.7). The message names the problem type, detail,
/// each subproblem's identifier (RFC 8555 6.7.1), the HTTP method and the URL, so a log line alone explains it.
/// Specific types: <see cref="BadNonceException"/>, <see cref="RateLimitedException"/>, <see cref="AlreadyReplacedException"/>.
/// </summary>
internal class AcmeProblemException : AcmeException
{
    public AcmeProblemException(AcmeProblem problem, HttpMethod method, Uri requestUrl, int httpStatus)
        : base(FormatMessage(problem, method, requestUrl, httpStatus))
    {
        Problem = problem;
        Method = method;
        RequestUrl = requestUrl;
        HttpStatus = httpStatus;
    }

    public AcmeProblem Problem { get; }

    public HttpMethod Method { get; }

    public Uri RequestUrl { get; }

    public int HttpStatus { get; }

    /// <summary>The full problem type URI, such as <c>urn:ietf:params:acme:error:malformed</c>.</summary>
    public string ProblemType => Problem.Type;

    public string? Detail => Problem.Detail;

    public IReadOnlyList<AcmeProblem> Subproblems => Problem.Subproblems ?? [];

    /// <summary>Chooses the exception type for a problem; the client throws what this returns.</summary>
    public static AcmeProblemException Create(AcmeProblem problem, HttpMethod method, Uri requestUrl, int httpStatus, DateTimeOffset? retryAfter) =>
        problem.Type switch
        {
            AcmeErrorTypes.BadNonce => new BadNonceException(problem, method, requestUrl, httpStatus),
            AcmeErrorTypes.RateLimited => new RateLimitedException(problem, method, requestUrl, httpStatus, retryAfter),
            AcmeErrorTypes.AlreadyReplaced => new AlreadyReplacedException(problem, method, requestUrl, httpStatus),
            _ => new AcmeProblemException(problem, method, requestUrl, httpStatus),
        };

    private static string FormatMessage(AcmeProblem problem, HttpMethod method, Uri requestUrl, int httpStatus) =>
        $"ACME server refused {method} {requestUrl} (HTTP {httpStatus}): {problem.Describe()}";
}
