using System.Net;

namespace CertDaemon.Aws;

/// <summary>
/// Which AWS error answers are worth repeating. One list for every service we call, so the retry handler and
/// <see cref="AwsServiceException.IsRetryable"/> can never disagree.
/// </summary>
internal static class AwsErrorCodes
{
    // Answers that say the request was refused before the service acted on it: safe to repeat even a request that
    // is not idempotent (see AwsRequestOptions.Idempotent). Route53 (REST-XML) and the JSON services (ACM, STS) spell
    // throttling differently; all mean "slow down".
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    };

    // Throttling, plus answers after which the request may or may not have run: repeated only when idempotent.
    private static readonly HashSet<string> RetryableCodes = new(
        [
            .. ThrottlingCodes,
            "PriorRequestNotComplete",
            "RequestTimeout",
            "RequestTimeoutException",
            "InternalFailure",
            "InternalError",
            "ServiceUnavailable",
        ],
        StringComparer.Ordinal);

    // Listed explicitly so a 5xx carrying one of these (never seen, but cheap to guard) is still not repeated:
    // repeating a rejected batch or a bad signature only burns the account's shared request budget.
    private static readonly HashSet<string> NeverRetriedCodes = new(StringComparer.Ordinal)
    {
        "InvalidChangeBatch",
        "NoSuchHostedZone",
        "NoSuchChange",
        "InvalidInput",
        "AccessDenied",
        "AccessDeniedException",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "ExpiredToken",
        "UnrecognizedClientException",

        // ACM (JSON 1.1): a refused import, an unknown ARN, a tag problem never heal by repeating.
        "ValidationException",
        "InvalidArnException",
        "InvalidParameterException",
        "InvalidTagException",
        "TooManyTagsException",
        "TagPolicyException",
        "ResourceNotFoundException",
        "LimitExceededException",
        "InvalidStateException",
    };

    public static bool IsRetryable(HttpStatusCode statusCode, string? code)
    {
        if (code is not null && NeverRetriedCodes.Contains(code))
        {
            return false;
        }

        if (code is not null && RetryableCodes.Contains(code))
        {
            return true;
        }

        var status = (int)statusCode;
        return status >= 500 || status == 429;
    }

    /// <summary>
    /// True for answers that mean "slow down, nothing was done": throttling codes and HTTP 429. The only failures after
    /// which a non-idempotent request is repeated.
    /// </summary>
    public static bool IsThrottling(HttpStatusCode statusCode, string? code) =>
        (code is not null && ThrottlingCodes.Contains(code)) || (int)statusCode == 429;

    /// <summary>Strips the <c>prefix#</c> (JSON <c>__type</c>) and <c>:suffix</c> (<c>x-amzn-ErrorType</c>) decorations.</summary>
    public static string Normalize(string code)
    {
        var value = code.Trim();
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            value = value[..colon];
        }

        var hash = value.LastIndexOf('#');
        return hash >= 0 ? value[(hash + 1)..] : value;
    }
}
