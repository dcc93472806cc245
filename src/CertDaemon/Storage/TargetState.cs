namespace CertDaemon.Storage;

/// <summary>What one deploy target holds for a certificate.</summary>
internal sealed record TargetState
{
    /// <summary>Serial of the certificate the target was last successfully given; null when never.</summary>
    public string? HeldSerial { get; init; }

    /// <summary>
    /// The not-after of the certificate the target holds (<see cref="HeldSerial"/>); null when not known. A target
    /// that refused a new version keeps serving an older one, which expires on its own date.
    /// </summary>
    public DateTimeOffset? HeldNotAfter { get; init; }

    /// <summary>Failed deployments to this target since its last success; spaces the retries (the renewal backoff steps).</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>The ACM certificate ARN (ACM targets only); kept so re-imports replace it in place.</summary>
    public string? Arn { get; init; }

    /// <summary>How many AWS resources used the ACM certificate at the last deployment (ACM's <c>InUseBy</c>); null when not known or not ACM.</summary>
    public int? InUseCount { get; init; }

    /// <summary>When a deployment to this target was last attempted.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>When a deployment to this target last succeeded.</summary>
    public DateTimeOffset? LastSuccessAt { get; init; }

    /// <summary>The last attempt's failure; null after a success.</summary>
    public StateError? LastError { get; init; }
}
