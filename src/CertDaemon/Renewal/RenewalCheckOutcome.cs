namespace CertDaemon.Renewal;

/// <summary>How a renewal check ended.</summary>
internal enum RenewalCheckOutcome
{
    /// <summary>Not due: nothing issued (failed deploy targets may have been retried).</summary>
    NotDue,

    /// <summary>A new certificate was issued, committed and every deploy target holds it.</summary>
    Renewed,

    /// <summary>
    /// A new certificate was issued and committed but at least one deploy target did not take it: the run failed.
    /// The failed targets keep what they had and are retried at the backoff schedule, without issuing again.
    /// </summary>
    NotDeployed,

    /// <summary>Issuance failed; the failure was recorded and the retry planned with backoff.</summary>
    Failed,
}
