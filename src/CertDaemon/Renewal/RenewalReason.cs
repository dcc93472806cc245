namespace CertDaemon.Renewal;

// Public only because xunit theories (which must be public) take it as a parameter; nothing outside this
// assembly uses it.
/// <summary>Why a renewal is planned when it is. The wire names (<see cref="RenewalReasonNames"/>) are stable: they appear in logs and <c>status --json</c>.</summary>
public enum RenewalReason
{
    /// <summary><c>forced</c>: the operator asked (<c>renew --force</c>, <c>issue NAME</c>).</summary>
    Forced,

    /// <summary><c>missing</c>: there is no certificate yet.</summary>
    Missing,

    /// <summary><c>domains-changed</c>: the configured names differ from the certificate's.</summary>
    DomainsChanged,

    /// <summary><c>key-type-changed</c>: the configured key type differs from the certificate's.</summary>
    KeyTypeChanged,

    /// <summary><c>emergency</c>: under 1/20 of the lifetime is left; renew whatever ARI says.</summary>
    Emergency,

    /// <summary><c>ari-window</c>: a random moment in the CA's ARI suggested window.</summary>
    AriWindow,

    /// <summary><c>one-third-lifetime</c>: no ARI; one third of the lifetime is left (lifetimes of 10 days or more).</summary>
    OneThirdLifetime,

    /// <summary><c>half-lifetime</c>: no ARI; half the lifetime is left (lifetimes under 10 days, e.g. 6-day certificates).</summary>
    HalfLifetime,

    /// <summary><c>backoff</c>: recent failures push the attempt later than otherwise planned.</summary>
    Backoff,

    /// <summary><c>revoked</c>: <c>certdaemon revoke</c> revoked the certificate; it is replaced at the next check (added last: values are stable).</summary>
    Revoked,

    /// <summary><c>acm-managed</c>: an <c>acm-export</c> certificate; ACM renews it and it is exported again when ACM's serial changes.</summary>
    AcmManaged,

    /// <summary><c>acm-renewed</c>: ACM holds a newer certificate (another serial) than the live files: export it now.</summary>
    AcmRenewed,
}
