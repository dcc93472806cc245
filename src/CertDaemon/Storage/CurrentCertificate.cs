namespace CertDaemon.Storage;

/// <summary>
/// Facts of the newest committed certificate that planning needs without parsing files: its names and key type
/// (a configuration change re-issues), its lifetime, and its ARI CertID (RFC 9773) for renewal information and the
/// next order's <c>replaces</c>.
/// </summary>
/// <param name="RevokedAt">When <c>certdaemon revoke</c> revoked it at the CA; null while it is not revoked.
/// A revoked certificate is replaced at the next check (reason <c>revoked</c>).</param>
/// <param name="RevocationReason">The reason given to the CA (<c>keyCompromise</c>, <c>superseded</c>, ...).</param>
/// <param name="IssuedBy">Null when CertDaemon issued it; <c>certbot</c> for a live certificate another tool put in
/// the lineage (adopted before CertDaemon's first issuance, or a renewal behind CertDaemon's back). Such a certificate
/// is planned from like any other but never named in an order's <c>replaces</c> (it may belong to another account).</param>
public sealed record CurrentCertificate(
    int Version,
    string Serial,
    IReadOnlyList<string> Domains,
    string KeyType,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string? AriCertificateId,
    Uri DirectoryUrl,
    DateTimeOffset IssuedAt,
    DateTimeOffset? RevokedAt = null,
    string? RevocationReason = null,
    string? IssuedBy = null);
