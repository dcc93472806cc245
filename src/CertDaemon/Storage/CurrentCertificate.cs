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
/// <param name="DirectoryUrl">Where it came from: the ACME directory of the CA that issued it (primary or fallback),
/// or for an ACM exportable certificate the ACM endpoint of its region.</param>
/// <param name="Issuer">The certificate's source, <c>acme</c> (also when absent, as in files written before it existed) or <c>acm-export</c>.</param>
/// <param name="SourceArn">For <c>acm-export</c>: the ARN of the ACM certificate it was exported from.</param>
internal sealed record CurrentCertificate(
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
    string? IssuedBy = null,
    string? Issuer = null,
    string? SourceArn = null);
