using CertDaemon.Kernel;

namespace CertDaemon.Issuance;

/// <summary>What to issue.</summary>
/// <param name="Name">The certificate's configured name (logs, state).</param>
/// <param name="Domains">DNS names, already normalised (lowercase, punycode); <c>*.x</c> for wildcards.</param>
/// <param name="KeyType">The key to generate for this certificate (a fresh key every issuance).</param>
/// <param name="Profile">ACME profile (directory <c>meta.profiles</c>), or null for the CA's default.</param>
/// <param name="Replaces">ARI CertID of the certificate this one replaces (RFC 9773 5), or null.</param>
/// <param name="PreferredChainIssuer">Pick the alternate chain whose issuer names contain this, when the CA offers one.</param>
internal sealed record IssuanceRequest(
    string Name,
    IReadOnlyList<string> Domains,
    KeyType KeyType = KeyType.Ec256,
    string? Profile = null,
    string? Replaces = null,
    string? PreferredChainIssuer = null)
{
    /// <summary>A <c>renew --dry-run</c>: the certificate is discarded, so it is logged as <c>DryRunSucceeded</c>, never <c>CertificateIssued</c>.</summary>
    public bool DryRun { get; init; }
}
