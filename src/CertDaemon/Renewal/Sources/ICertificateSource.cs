using CertDaemon.Issuance;
using CertDaemon.Storage;

namespace CertDaemon.Renewal.Sources;

/// <summary>
/// Where a new certificate comes from: an ACME CA chain answering DNS-01 through Route53
/// (<see cref="CaChain.AcmeChainSource"/>) or an exportable ACM certificate (<see cref="AcmExport.AcmExportSource"/>).
/// <see cref="CertificateLifecycle"/> picks the one source that applies to a certificate and commits, deploys and
/// records what it returns, so a new source never changes the lifecycle.
/// </summary>
/// <remarks>
/// Obligations of every implementation:
/// <list type="bullet">
/// <item><b>One source per certificate.</b> <see cref="AppliesTo"/> depends only on the certificate's settings, and
/// exactly one registered source applies to any valid configuration.</item>
/// <item><b>Verified or nothing.</b> <see cref="ObtainAsync"/> returns a certificate whose private key matches its
/// leaf, whose names are the requested domains and which is valid now, or throws. It never returns a partial or
/// unverified result.</item>
/// <item><b>Obtains, never commits.</b> It does not write the certificate store, the state files or any deploy target:
/// the lifecycle does (and records the exception when it throws).</item>
/// <item><b>Called under the certificate's lock</b> (<see cref="CertificateSourceRequest.Lock"/>), so it may clean up
/// what an earlier run of the same certificate left, and it cleans up whatever it published itself (challenge
/// records) even when it fails or is cancelled.</item>
/// <item><b>Honours cancellation</b> between steps and inside every wait.</item>
/// <item>A rehearsal (<see cref="CertificateSourceRequest.RehearsalDirectoryUrl"/>) obtains from that directory and
/// has no lasting effect besides the CA's own records; a source that cannot rehearse throws
/// <see cref="InvalidOperationException"/> with a message for the operator.</item>
/// </list>
/// </remarks>
internal interface ICertificateSource
{
    /// <summary>Whether this source obtains <paramref name="certificate"/> (by its configured issuer).</summary>
    bool AppliesTo(ManagedCertificate certificate);

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/>, with a message for the operator, when this source cannot
    /// rehearse <paramref name="certificate"/>. Called before the certificate's lock is taken, so a refusal never waits
    /// for a running renewal.
    /// </summary>
    void EnsureCanRehearse(ManagedCertificate certificate);

    /// <summary>Obtains a verified certificate for <see cref="CertificateSourceRequest.Certificate"/>.</summary>
    Task<ObtainedCertificate> ObtainAsync(CertificateSourceRequest request, CancellationToken cancellationToken);
}

/// <summary>What an <see cref="ICertificateSource"/> is asked for.</summary>
/// <param name="Certificate">The certificate to obtain: names, key type, profile and its settings.</param>
/// <param name="Current">The certificate it replaces (ARI's <c>replaces</c>, the renewal deadline); null when none yet.</param>
/// <param name="Lock">The certificate's lock, held by the caller for the whole call.</param>
internal sealed record CertificateSourceRequest(ManagedCertificate Certificate, CurrentCertificate? Current, ICertificateLockHandle Lock)
{
    /// <summary>
    /// <c>renew --dry-run</c>: obtain from this (staging or test) ACME directory instead, replacing nothing; the result
    /// is verified and then discarded. Null for a real run.
    /// </summary>
    public Uri? RehearsalDirectoryUrl { get; init; }
}

/// <summary>A verified certificate an <see cref="ICertificateSource"/> returned.</summary>
/// <param name="Certificate">The leaf, chain and key, verified.</param>
/// <param name="IssuedBy">
/// Where it came from, remembered with it: the ACME directory that issued it (for ARI, the next order's
/// <c>replaces</c> and <c>revoke</c>), or the ACM endpoint it was exported from.
/// </param>
/// <param name="SourceArn">The ACM certificate it was exported from; null for an ACME certificate.</param>
internal sealed record ObtainedCertificate(IssuedCertificate Certificate, Uri IssuedBy, string? SourceArn = null);
