namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>A failed issuance attempt, classified by <see cref="IssuanceFailureClassifier"/>.</summary>
/// <param name="Detail">Why it is classified so, in words for the log (never secrets).</param>
/// <param name="RetryAfter">For <see cref="IssuanceFailureKind.CaRateLimited"/>: the CA's Retry-After, if it gave one.</param>
internal sealed record IssuanceFailure(IssuanceFailureKind Kind, string Detail, DateTimeOffset? RetryAfter = null)
{
    /// <summary>Whether the CA is to blame (another CA could succeed).</summary>
    public bool IsTheCas => Kind is IssuanceFailureKind.CaUnreachable or IssuanceFailureKind.CaServerError or IssuanceFailureKind.CaRateLimited
        or IssuanceFailureKind.CaOrderFailure or IssuanceFailureKind.CaAccount;
}
