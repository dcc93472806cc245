using System.Net.Sockets;
using System.Security.Authentication;
using CertDaemon.Acme;
using CertDaemon.Aws;
using CertDaemon.Issuance;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// Turns the exception of a failed issuance attempt into an <see cref="IssuanceFailure"/>: whose problem it was.
/// Pure: the same exception (and the same <c>duringDnsChallenge</c>) always gives the same answer.
/// </summary>
/// <remarks>
/// What went wrong while our DNS solver worked (Route53, propagation) is ours whatever its type, so a dropped
/// Route53 connection is never taken for a CA outage. The CA's own validation errors (RFC 8555 6.7 <c>dns</c>,
/// <c>unauthorized</c>, <c>incorrectResponse</c>, <c>caa</c>, ...) are ours too: Boulder answers a wrong TXT value
/// with <c>unauthorized</c>, and any other CA would find the same records.
/// </remarks>
internal static class IssuanceFailureClassifier
{
    /// <summary>Problem types that describe our request or our DNS, not the CA's health.</summary>
    private static readonly Dictionary<string, IssuanceFailureKind> OursByProblemType = new(StringComparer.Ordinal)
    {
        [AcmeErrorTypes.Dns] = IssuanceFailureKind.OurDns,
        [AcmeErrorTypes.Unauthorized] = IssuanceFailureKind.OurDns,
        [AcmeErrorTypes.IncorrectResponse] = IssuanceFailureKind.OurDns,
        [AcmeErrorTypes.Caa] = IssuanceFailureKind.OurDns,
        [AcmeErrorTypes.Connection] = IssuanceFailureKind.OurDns,
        [AcmeErrorTypes.Tls] = IssuanceFailureKind.OurDns,
        [AcmeErrorTypes.RejectedIdentifier] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.UnsupportedIdentifier] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.Malformed] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.BadCsr] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.BadPublicKey] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.BadSignatureAlgorithm] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.Compound] = IssuanceFailureKind.OurRequest,
        [AcmeErrorTypes.Prefix + "invalidProfile"] = IssuanceFailureKind.OurRequest,
    };

    /// <summary>Problem types about our account at this CA (each CA has its own account).</summary>
    private static readonly HashSet<string> AccountProblemTypes = new(StringComparer.Ordinal)
    {
        AcmeErrorTypes.ExternalAccountRequired, AcmeErrorTypes.UserActionRequired, AcmeErrorTypes.AccountDoesNotExist,
        AcmeErrorTypes.InvalidContact, AcmeErrorTypes.UnsupportedContact,
    };

    /// <param name="exception">What the attempt threw (never a cancellation of ours: callers rethrow those).</param>
    /// <param name="duringDnsChallenge">The exception came out of our DNS solver (publishing, waiting for propagation).</param>
    public static IssuanceFailure Classify(Exception exception, bool duringDnsChallenge)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (duringDnsChallenge)
        {
            return Find<AwsServiceException>(exception) is { } aws && IsPermission(aws.Code)
                ? new(IssuanceFailureKind.OurPermissions, $"AWS refused {aws.Operation} ({aws.Code})")
                : Find<AwsCredentialsNotFoundException>(exception) is not null
                    ? new(IssuanceFailureKind.OurPermissions, "no AWS credentials")
                    : new(IssuanceFailureKind.OurDns, "publishing the challenge records failed (" + exception.GetType().Name + ")");
        }

        return exception switch
        {
            RateLimitedException limited => new(IssuanceFailureKind.CaRateLimited, "the CA answered rateLimited", limited.RetryAfter),
            AcmeValidationException validation => ClassifyProblem(validation.Error, validationFallback: IssuanceFailureKind.OurDns, "the CA could not validate " + validation.Identifier),
            AcmeOrderFailedException order => ClassifyProblem(order.Error, validationFallback: IssuanceFailureKind.CaOrderFailure, "the order became invalid"),
            AcmeProfileNotOfferedException => new(IssuanceFailureKind.OurRequest, "the configured profile is not offered by this CA"),
            AcmeProblemException problem when problem.HttpStatus >= 500 => new(IssuanceFailureKind.CaServerError, $"the CA answered HTTP {problem.HttpStatus} ({Short(problem.ProblemType)})"),
            AcmeProblemException problem => ClassifyProblem(problem.Problem, validationFallback: IssuanceFailureKind.Unknown, "the CA refused"),
            AcmeTimeoutException timeout => new(IssuanceFailureKind.CaOrderFailure, $"the CA left the order {Format(timeout.LastStatus)} past the timeout"),
            AcmeProtocolException => new(IssuanceFailureKind.CaServerError, "the CA answered outside the ACME protocol"),
            CertificateVerificationException => new(IssuanceFailureKind.CaOrderFailure, "the CA returned a certificate we refused"),
            HttpRequestException http => new(IssuanceFailureKind.CaUnreachable, "the CA could not be reached (" + Describe(http) + ")"),
            TaskCanceledException { InnerException: TimeoutException } => new(IssuanceFailureKind.CaUnreachable, "the CA did not answer in time"),
            _ => new(IssuanceFailureKind.Unknown, "not known to be the CA's (" + exception.GetType().Name + ")"),
        };
    }

    private static IssuanceFailure ClassifyProblem(AcmeProblem? problem, IssuanceFailureKind validationFallback, string what)
    {
        if (problem is null)
        {
            return new(validationFallback, what + " without a problem document");
        }

        var type = problem.Type;
        if (type == AcmeErrorTypes.ServerInternal || type == AcmeErrorTypes.BadNonce)
        {
            return new(IssuanceFailureKind.CaServerError, $"{what}: {Short(type)}");
        }

        if (AccountProblemTypes.Contains(type))
        {
            return new(IssuanceFailureKind.CaAccount, $"{what}: {Short(type)} (our account at this CA)");
        }

        if (OursByProblemType.TryGetValue(type, out var ours))
        {
            return new(ours, $"{what}: {Short(type)}");
        }

        // RFC 8555 6.7.1: a compound problem's subproblems say which identifier failed how; any of ours makes it ours.
        foreach (var sub in problem.Subproblems ?? [])
        {
            if (OursByProblemType.TryGetValue(sub.Type, out var subKind))
            {
                return new(subKind, $"{what}: {Short(sub.Type)}");
            }
        }

        return new(validationFallback, $"{what}: {Short(type)}");
    }

    private static bool IsPermission(string code) => code is "AccessDenied" or "AccessDeniedException" or "InvalidClientTokenId"
        or "SignatureDoesNotMatch" or "UnrecognizedClientException" or "ExpiredToken" or "ExpiredTokenException" or "InvalidSignatureException";

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Describe(HttpRequestException http) =>
        Find<SocketException>(http) is { } socket ? socket.SocketErrorCode.ToString()
        : Find<AuthenticationException>(http) is not null ? "TLS handshake failed"
        : http.HttpRequestError.ToString();

    private static string Short(string problemType) =>
        problemType.StartsWith(AcmeErrorTypes.Prefix, StringComparison.Ordinal) ? problemType[AcmeErrorTypes.Prefix.Length..] : problemType;

    private static string Format(AcmeStatus status) => AcmeStatusJsonConverter.Format(status);
}
