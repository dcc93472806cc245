namespace CertDaemon.Issuance;

/// <summary>
/// The configured ACME CAs in the order a renewal tries them: the primary first, then each fallback. Every renewal
/// starts again at the primary.
/// </summary>
internal sealed record AcmeCertificateAuthorities
{
    public AcmeCertificateAuthorities(IReadOnlyList<AcmeCertificateAuthority> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0)
        {
            throw new ArgumentException("at least the primary CA is required", nameof(chain));
        }

        Chain = chain;
    }

    /// <summary>Primary first, never empty.</summary>
    public IReadOnlyList<AcmeCertificateAuthority> Chain { get; }

    public AcmeCertificateAuthority Primary => Chain[0];

    /// <summary>The configured CA with this directory URL, or null (a dry-run directory, a CA removed from the configuration).</summary>
    public AcmeCertificateAuthority? Find(Uri directoryUrl) => Chain.FirstOrDefault(ca => ca.DirectoryUrl == directoryUrl);
}
