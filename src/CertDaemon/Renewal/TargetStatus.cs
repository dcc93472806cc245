namespace CertDaemon.Renewal;

/// <summary>What one deploy target holds: nginx (what it serves), or one ACM region with its ARN.</summary>
/// <param name="Serial">What the target holds or serves, as last seen (null: nothing known yet).</param>
/// <param name="HoldsCurrent">Whether that is the live version.</param>
internal sealed record TargetStatus(string Target, string? Serial, bool HoldsCurrent, string? Arn, string? LastError, DateTimeOffset? LastSuccessAt)
{
    /// <summary>The not-after of what the target holds: its own, which is older while it refuses the live version.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    public double? DaysLeft { get; init; }

    public DateTimeOffset? LastAttemptAt { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Failed attempts since the last success.</summary>
    public int ConsecutiveFailures { get; init; }
}
