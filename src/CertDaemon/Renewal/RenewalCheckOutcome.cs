namespace CertDaemon.Renewal;

/// <summary>How a renewal check ended.</summary>
internal enum RenewalCheckOutcome
{
    /// <summary>Not due: nothing issued (failed deploy targets may have been retried).</summary>
    NotDue,

    /// <summary>A new certificate was issued and committed (deploy results in the lifecycle outcome).</summary>
    Renewed,

    /// <summary>Issuance failed; the failure was recorded and the retry planned with backoff.</summary>
    Failed,
}
