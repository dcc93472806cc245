using System.Globalization;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// When a renewal moves from one ACME CA to the next. <see cref="Decide"/> is pure: the same failure, attempt count,
/// chain position, deadline and time always give the same verdict.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Ours (DNS, Route53 permissions, names or a request the CA refuses, anything unknown): stop. Another CA would
/// fail the same way and spend its rate limits (Let's Encrypt: 5 failed validations per name per hour).</item>
/// <item>Outage (unreachable, 5xx, off-protocol answers) and order failures at the CA: one more attempt at the same CA,
/// then the next CA.</item>
/// <item><c>rateLimited</c>: the next CA when Retry-After is absent or later than the renewal deadline; otherwise
/// stop and let the schedule retry this CA after Retry-After (no other CA's limits spent for a short wait).</item>
/// <item>Our account at this CA cannot order: the next CA (it has its own account).</item>
/// <item>No CA left: stop, saying so.</item>
/// </list>
/// </remarks>
internal sealed record FallbackPolicy
{
    public static readonly FallbackPolicy Default = new();

    /// <summary>Attempts at one CA for an outage or an order failure before moving on. The default value is 2.</summary>
    public int MaxAttemptsPerCa { get; init; } = 2;

    /// <summary>The wait before the same CA is tried again. The default value is 2 seconds.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <param name="failure">The classified failure of the attempt.</param>
    /// <param name="attemptsAtThisCa">Attempts made at this CA in this run, including the failed one (1 after the first).</param>
    /// <param name="hasNextCa">Whether another CA follows this one in the chain.</param>
    /// <param name="deadline">By when this renewal must succeed (see <see cref="RenewalDeadline"/>).</param>
    /// <param name="now">The current time.</param>
    public FallbackVerdict Decide(IssuanceFailure failure, int attemptsAtThisCa, bool hasNextCa, DateTimeOffset deadline, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (!failure.IsTheCas)
        {
            return new(FallbackAction.Stop, $"no fallback: the failure is ours ({failure.Detail}); another CA would fail the same way and spend its limits");
        }

        switch (failure.Kind)
        {
            case IssuanceFailureKind.CaRateLimited when failure.RetryAfter is { } retryAfter && retryAfter <= deadline:
                return new(FallbackAction.Stop, string.Create(CultureInfo.InvariantCulture,
                    $"no fallback: the CA's rate limit ends at {retryAfter:O}, before the renewal deadline {deadline:O}; retrying this CA then"));
            case IssuanceFailureKind.CaUnreachable or IssuanceFailureKind.CaServerError or IssuanceFailureKind.CaOrderFailure
                when attemptsAtThisCa < MaxAttemptsPerCa:
                return new(FallbackAction.RetrySameCa, string.Create(CultureInfo.InvariantCulture,
                    $"{failure.Detail}: trying the same CA again (attempt {attemptsAtThisCa + 1} of {MaxAttemptsPerCa})"));
        }

        var why = failure.Kind switch
        {
            IssuanceFailureKind.CaRateLimited => failure.RetryAfter is { } at
                ? string.Create(CultureInfo.InvariantCulture, $"{failure.Detail} until {at:O}, past the renewal deadline {deadline:O}")
                : failure.Detail + " without Retry-After",
            IssuanceFailureKind.CaAccount => failure.Detail,
            _ => string.Create(CultureInfo.InvariantCulture, $"{failure.Detail} ({attemptsAtThisCa} attempts)"),
        };
        return hasNextCa
            ? new(FallbackAction.NextCa, "falling back: " + why)
            : new(FallbackAction.Stop, "no CA left to fall back to: " + why);
    }
}
