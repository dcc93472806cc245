namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>Whose problem a failed ACME issuance was: the CA's (another CA may succeed) or ours (it would fail there too).</summary>
internal enum IssuanceFailureKind
{
    /// <summary>The CA could not be reached (connection refused or reset, TLS failure, timeout).</summary>
    CaUnreachable,

    /// <summary>The CA answered with a server error (5xx, <c>serverInternal</c>) or outside the protocol.</summary>
    CaServerError,

    /// <summary>The CA refused with <c>rateLimited</c>.</summary>
    CaRateLimited,

    /// <summary>The order failed at the CA for a reason that is not validation (stuck, invalid after finalize, a certificate we refused).</summary>
    CaOrderFailure,

    /// <summary>Our account at this CA cannot order (external account required, terms changed, account gone); another CA has its own account.</summary>
    CaAccount,

    /// <summary>Publishing or propagating the challenge records failed, or the CA found wrong or missing TXT/CAA records.</summary>
    OurDns,

    /// <summary>AWS refused us (credentials, AccessDenied on Route53).</summary>
    OurPermissions,

    /// <summary>The CA refused what we asked for (names it will not issue for, a malformed request, an unknown profile).</summary>
    OurRequest,

    /// <summary>Anything not known to be the CA's (local I/O, a bug): treated as ours.</summary>
    Unknown,
}
