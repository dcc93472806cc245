using System.Text.Json.Serialization;

namespace CertDaemon.Acme;

/// <summary>
/// The status values of ACME accounts, orders, authorizations and challenges (RFC 8555 7.1.6), in one enum because
/// they share their names. A value the CA invents later parses as <see cref="Unknown"/> instead of failing.
/// </summary>
[JsonConverter(typeof(AcmeStatusJsonConverter))]
internal enum AcmeStatus
{
    Unknown,
    Pending,
    Ready,
    Processing,
    Valid,
    Invalid,
    Deactivated,
    Expired,
    Revoked,
}
