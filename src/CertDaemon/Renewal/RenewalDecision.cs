namespace CertDaemon.Renewal;

/// <summary>When to renew and why: the planner's pure answer, so the schedule and <c>status</c> explain the same decision.</summary>
/// <param name="RenewAt">The planned moment; at or before <c>now</c> means renew now.</param>
/// <param name="Reason">Why this moment.</param>
/// <param name="Explanation">One human sentence for logs and <c>status</c>.</param>
internal sealed record RenewalDecision(DateTimeOffset RenewAt, RenewalReason Reason, string Explanation)
{
    /// <summary>The stable reason name (<c>ari-window</c>, <c>one-third-lifetime</c>, ...).</summary>
    public string ReasonName => Reason.ToName();

    /// <summary>Whether the renewal should start at <paramref name="now"/>.</summary>
    public bool IsDue(DateTimeOffset now) => RenewAt <= now;
}
