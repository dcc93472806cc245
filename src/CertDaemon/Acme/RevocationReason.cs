namespace CertDaemon.Acme;

/// <summary>CRLReason codes (RFC 5280 5.3.1) usable in a revocation request (RFC 8555 7.6). 7 is unused by RFC 5280.</summary>
internal enum RevocationReason
{
    Unspecified = 0,
    KeyCompromise = 1,
    CaCompromise = 2,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
    CertificateHold = 6,
    RemoveFromCrl = 8,
    PrivilegeWithdrawn = 9,
    AaCompromise = 10,
}
