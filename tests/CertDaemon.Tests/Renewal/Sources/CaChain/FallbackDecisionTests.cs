using System.Net;
using System.Net.Sockets;
using CertDaemon.Acme;
using CertDaemon.Aws;
using CertDaemon.Dns;
using CertDaemon.Issuance;
using CertDaemon.Renewal.Sources.CaChain;
using CertDaemon.Storage;

namespace CertDaemon.Tests.Renewal.Sources.CaChain;

/// <summary>
/// The fallback decision as a table: each typed failure of an attempt → whose problem it is → retry, next CA or stop.
/// Pure functions (<see cref="IssuanceFailureClassifier"/>, <see cref="FallbackPolicy"/>, <see cref="RenewalDeadline"/>),
/// so every row is checked exactly.
/// </summary>
public sealed class FallbackDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Deadline = Now.AddDays(3);
    private static readonly Uri Ca = new("https://ca.example/acme/new-order");

    private static AcmeProblem Problem(string shortType) => new() { Type = AcmeErrorTypes.Prefix + shortType, Detail = "detail" };

    private static AcmeValidationException Validation(string shortType) => new(
        new AcmeAuthorization
        {
            Url = new Uri("https://ca.example/authz/1"),
            Identifier = new AcmeIdentifier("dns", "example.test"),
            Status = AcmeStatus.Invalid,
        },
        new AcmeChallenge { Url = new Uri("https://ca.example/chall/1"), Type = "dns-01", Status = AcmeStatus.Invalid, Error = Problem(shortType) });

    private static AcmeOrderFailedException OrderFailed(string? shortType) => new(new AcmeOrder
    {
        Url = new Uri("https://ca.example/order/1"),
        Status = AcmeStatus.Invalid,
        Identifiers = [new AcmeIdentifier("dns", "example.test")],
        Finalize = new Uri("https://ca.example/finalize/1"),
        Error = shortType is null ? null : Problem(shortType),
    });

    /// <summary>case → (exception, thrown by our DNS solver?, expected kind).</summary>
    private static readonly Dictionary<string, (Func<Exception> Make, bool InDns, IssuanceFailureKind Kind)> Classified = new()
    {
        ["connection refused"] = (() => new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)), false, IssuanceFailureKind.CaUnreachable),
        ["HTTP client timeout"] = (() => new TaskCanceledException("timeout", new TimeoutException()), false, IssuanceFailureKind.CaUnreachable),
        ["503 serverInternal"] = (() => new AcmeProblemException(Problem("serverInternal"), HttpMethod.Post, Ca, 503), false, IssuanceFailureKind.CaServerError),
        ["500 with a malformed type"] = (() => new AcmeProblemException(Problem("malformed"), HttpMethod.Post, Ca, 500), false, IssuanceFailureKind.CaServerError),
        ["HTML error page"] = (() => new AcmeProtocolException(Ca, "answered HTTP 502 with text/html"), false, IssuanceFailureKind.CaServerError),
        ["badNonce after retries"] = (() => new BadNonceException(Problem("badNonce"), HttpMethod.Post, Ca, 400), false, IssuanceFailureKind.CaServerError),
        ["rateLimited"] = (() => new RateLimitedException(Problem("rateLimited"), HttpMethod.Post, Ca, 429, Now.AddHours(1)), false, IssuanceFailureKind.CaRateLimited),
        ["order stuck processing"] = (() => new AcmeTimeoutException(Ca, TimeSpan.FromMinutes(5), AcmeStatus.Processing), false, IssuanceFailureKind.CaOrderFailure),
        ["order invalid after finalize"] = (() => OrderFailed("serverInternal"), false, IssuanceFailureKind.CaServerError),
        ["order invalid without error"] = (() => OrderFailed(null), false, IssuanceFailureKind.CaOrderFailure),
        ["order invalid: wrong TXT (unauthorized)"] = (() => OrderFailed("unauthorized"), false, IssuanceFailureKind.OurDns),
        ["certificate we refused"] = (() => new CertificateVerificationException("site", "its names differ"), false, IssuanceFailureKind.CaOrderFailure),
        ["wrong TXT value (unauthorized)"] = (() => Validation("unauthorized"), false, IssuanceFailureKind.OurDns),
        ["incorrectResponse"] = (() => Validation("incorrectResponse"), false, IssuanceFailureKind.OurDns),
        ["NXDOMAIN (dns)"] = (() => Validation("dns"), false, IssuanceFailureKind.OurDns),
        ["CAA forbids"] = (() => Validation("caa"), false, IssuanceFailureKind.OurDns),
        ["rejectedIdentifier"] = (() => new AcmeProblemException(Problem("rejectedIdentifier"), HttpMethod.Post, Ca, 400), false, IssuanceFailureKind.OurRequest),
        ["compound with a rejected name"] = (() => new AcmeProblemException(
            Problem("compound") with { Subproblems = [Problem("rejectedIdentifier")] }, HttpMethod.Post, Ca, 400), false, IssuanceFailureKind.OurRequest),
        ["invalidProfile"] = (() => new AcmeProblemException(Problem("invalidProfile"), HttpMethod.Post, Ca, 400), false, IssuanceFailureKind.OurRequest),
        ["profile not offered"] = (() => new AcmeProfileNotOfferedException("shortlived", [], Ca), false, IssuanceFailureKind.OurRequest),
        ["externalAccountRequired"] = (() => new AcmeProblemException(Problem("externalAccountRequired"), HttpMethod.Post, Ca, 403), false, IssuanceFailureKind.CaAccount),
        ["new terms (userActionRequired)"] = (() => new AcmeProblemException(Problem("userActionRequired"), HttpMethod.Post, Ca, 403), false, IssuanceFailureKind.CaAccount),
        ["unknown problem type"] = (() => new AcmeProblemException(new AcmeProblem { Type = "urn:example:odd" }, HttpMethod.Post, Ca, 400), false, IssuanceFailureKind.Unknown),
        ["local I/O error"] = (() => new IOException("disk full"), false, IssuanceFailureKind.Unknown),
        ["Route53 AccessDenied"] = (() => new AwsServiceException("route53", "ChangeResourceRecordSets", HttpStatusCode.Forbidden, "AccessDenied", "not authorized", "r1"), true, IssuanceFailureKind.OurPermissions),
        ["no AWS credentials"] = (() => new AwsCredentialsNotFoundException("none"), true, IssuanceFailureKind.OurPermissions),
        ["propagation timeout"] = (() => new PropagationTimeoutException("example.test.", TimeSpan.FromMinutes(1), []), true, IssuanceFailureKind.OurDns),
        ["Route53 connection dropped (not a CA outage)"] = (() => new HttpRequestException("reset", new SocketException((int)SocketError.ConnectionReset)), true, IssuanceFailureKind.OurDns),
    };

    public static TheoryData<string> ClassifiedCases => new(Classified.Keys);

    [Theory]
    [MemberData(nameof(ClassifiedCases))]
    public void Each_failure_is_classified_by_whose_problem_it_is(string caseName)
    {
        var (make, inDns, kind) = Classified[caseName];

        var failure = IssuanceFailureClassifier.Classify(make(), inDns);

        Assert.Equal(kind, failure.Kind);
        Assert.False(string.IsNullOrWhiteSpace(failure.Detail));
    }

    /// <summary>case → (failure, attempts at this CA, another CA follows, expected action, reason fragment).</summary>
    private static readonly Dictionary<string, (IssuanceFailure Failure, int Attempts, bool HasNext, FallbackAction Action, string Fragment)> Decided = new()
    {
        ["outage, first attempt: same CA again"] = (new(IssuanceFailureKind.CaUnreachable, "unreachable"), 1, true, FallbackAction.RetrySameCa, "trying the same CA again (attempt 2 of 2)"),
        ["outage, second attempt: next CA"] = (new(IssuanceFailureKind.CaUnreachable, "unreachable"), 2, true, FallbackAction.NextCa, "falling back: unreachable (2 attempts)"),
        ["outage at the last CA: stop"] = (new(IssuanceFailureKind.CaServerError, "HTTP 503"), 2, false, FallbackAction.Stop, "no CA left to fall back to"),
        ["server error, first attempt"] = (new(IssuanceFailureKind.CaServerError, "HTTP 503"), 1, true, FallbackAction.RetrySameCa, "same CA again"),
        ["order failure once: same CA"] = (new(IssuanceFailureKind.CaOrderFailure, "stuck"), 1, true, FallbackAction.RetrySameCa, "same CA again"),
        ["order failure twice: next CA"] = (new(IssuanceFailureKind.CaOrderFailure, "stuck"), 2, true, FallbackAction.NextCa, "falling back"),
        ["rate limit past the deadline: next CA at once"] = (new(IssuanceFailureKind.CaRateLimited, "rateLimited", Deadline.AddSeconds(1)), 1, true, FallbackAction.NextCa, "past the renewal deadline"),
        ["rate limit without Retry-After: next CA"] = (new(IssuanceFailureKind.CaRateLimited, "rateLimited"), 1, true, FallbackAction.NextCa, "without Retry-After"),
        ["rate limit ending before the deadline: wait for it"] = (new(IssuanceFailureKind.CaRateLimited, "rateLimited", Deadline.AddSeconds(-1)), 1, true, FallbackAction.Stop, "before the renewal deadline"),
        ["rate limit at the last CA: stop"] = (new(IssuanceFailureKind.CaRateLimited, "rateLimited", Deadline.AddDays(1)), 1, false, FallbackAction.Stop, "no CA left"),
        ["account problem: next CA at once"] = (new(IssuanceFailureKind.CaAccount, "externalAccountRequired"), 1, true, FallbackAction.NextCa, "falling back"),
        ["wrong TXT: never"] = (new(IssuanceFailureKind.OurDns, "unauthorized"), 1, true, FallbackAction.Stop, "the failure is ours"),
        ["Route53 permissions: never"] = (new(IssuanceFailureKind.OurPermissions, "AccessDenied"), 1, true, FallbackAction.Stop, "another CA would fail the same way"),
        ["invalid names: never"] = (new(IssuanceFailureKind.OurRequest, "rejectedIdentifier"), 1, true, FallbackAction.Stop, "the failure is ours"),
        ["unknown: never"] = (new(IssuanceFailureKind.Unknown, "IOException"), 1, true, FallbackAction.Stop, "the failure is ours"),
    };

    public static TheoryData<string> DecidedCases => new(Decided.Keys);

    [Theory]
    [MemberData(nameof(DecidedCases))]
    public void Each_classified_failure_gets_its_verdict_and_reason(string caseName)
    {
        var (failure, attempts, hasNext, action, fragment) = Decided[caseName];

        var verdict = FallbackPolicy.Default.Decide(failure, attempts, hasNext, Deadline, Now);

        Assert.Equal(action, verdict.Action);
        Assert.Contains(fragment, verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_failure_kind_has_a_row()
    {
        var covered = Decided.Values.Select(d => d.Failure.Kind).ToHashSet();
        Assert.All(Enum.GetValues<IssuanceFailureKind>(), kind => Assert.Contains(kind, covered));
    }

    [Fact]
    public void The_deadline_is_the_emergency_point_of_a_usable_certificate_and_now_otherwise()
    {
        var notBefore = Now.AddDays(-80);
        var current = new CurrentCertificate(1, "ab", ["example.test"], "ec256", notBefore, notBefore.AddDays(90), null, Ca, notBefore);
        string[] domains = ["example.test"];

        Assert.Equal(notBefore.AddDays(90 - 4.5), RenewalDeadline.For(current, domains, 1.0 / 20, Now));
        Assert.Equal(Now, RenewalDeadline.For(null, domains, 1.0 / 20, Now));
        Assert.Equal(Now, RenewalDeadline.For(current with { RevokedAt = Now.AddDays(-1) }, domains, 1.0 / 20, Now));
        Assert.Equal(Now, RenewalDeadline.For(current, ["example.test", "www.example.test"], 1.0 / 20, Now));
        Assert.Equal(Now, RenewalDeadline.For(current with { NotAfter = Now.AddHours(1) }, domains, 1.0 / 20, Now));
    }
}
