namespace CertDaemon.Renewal;

/// <summary>The stable spelling of each <see cref="RenewalReason"/>.</summary>
internal static class RenewalReasonNames
{
    public static string ToName(this RenewalReason reason) => reason switch
    {
        RenewalReason.Forced => "forced",
        RenewalReason.Missing => "missing",
        RenewalReason.DomainsChanged => "domains-changed",
        RenewalReason.KeyTypeChanged => "key-type-changed",
        RenewalReason.Revoked => "revoked",
        RenewalReason.Emergency => "emergency",
        RenewalReason.AriWindow => "ari-window",
        RenewalReason.OneThirdLifetime => "one-third-lifetime",
        RenewalReason.HalfLifetime => "half-lifetime",
        RenewalReason.Backoff => "backoff",
        RenewalReason.AcmManaged => "acm-managed",
        RenewalReason.AcmRenewed => "acm-renewed",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown renewal reason."),
    };
}
