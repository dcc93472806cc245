using System.Net;

namespace CertDaemon.Aws;

/// <summary>
/// The service (or something in front of it: a proxy, a wrong endpoint URL) answered with something that is not
/// the documented wire format. <see cref="AwsServiceException.Code"/> is <c>UnexpectedResponse</c>; the message
/// says what was expected and starts the body so the operator can see what actually answered.
/// </summary>
internal sealed class AwsResponseFormatException : AwsServiceException
{
    public const string UnexpectedResponseCode = "UnexpectedResponse";

    public AwsResponseFormatException(string service, string operation, HttpStatusCode statusCode, string problem, string? body, string? requestId)
        : base(service, operation, statusCode, UnexpectedResponseCode, Describe(problem, body), requestId)
    {
        Problem = problem;
    }

    public AwsResponseFormatException()
    {
        Problem = string.Empty;
    }

    public AwsResponseFormatException(string message) : base(message)
    {
        Problem = message;
    }

    public AwsResponseFormatException(string message, Exception innerException) : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>What was wrong, without the body excerpt.</summary>
    public string Problem { get; }

    private static string Describe(string problem, string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return problem + " (empty body)";
        }

        const int Excerpt = 300;
        var text = body.Length <= Excerpt ? body : body[..Excerpt] + "...";
        return $"{problem}; body starts: {text.ReplaceLineEndings(" ")}";
    }
}
