using CertDaemon.Kernel;
using CertDaemon.Storage;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>What <see cref="AcmeFallbackIssuer"/> needs to issue one certificate from the CA chain.</summary>
/// <param name="PrimaryProfile">The profile asked of the primary CA (the certificate's own, else <c>Acme.Profile</c>);
/// fallback CAs are asked for their own configured profile, since profile names differ between CAs.</param>
/// <param name="Current">The certificate this one replaces, if any: its CA alone gets its ARI CertID as <c>replaces</c>.</param>
/// <param name="Deadline">By when the renewal must succeed (<see cref="RenewalDeadline"/>): a rate limit lasting longer moves on.</param>
internal sealed record AcmeSourceRequest(
    string Name,
    IReadOnlyList<string> Domains,
    KeyType KeyType,
    string? PrimaryProfile,
    CurrentCertificate? Current,
    DateTimeOffset Deadline);
