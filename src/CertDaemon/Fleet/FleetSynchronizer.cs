using CertDaemon.Kernel;
using CertDaemon.Issuance;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>
/// Brings one instance up to the fleet's version of a certificate: read the manifest (a conditional GET with the
/// ETag seen last, one request when nothing changed); when it is newer than the local live version, download,
/// verify, commit through the local store and deploy to this instance's targets, exactly as a renewal would.
/// </summary>
/// <remarks>
/// Contract: nothing is installed unless every file matched the manifest's SHA-256, the key matches the certificate,
/// the chain starts at its issuer, and the names and key type are the configured ones. Store failures throw
/// <see cref="FleetStoreException"/> and leave the local files as they were.
/// </remarks>
internal sealed class FleetSynchronizer(
    FleetManifestStore manifests,
    FleetManifestCache cache,
    CertificateLifecycle lifecycle,
    AcmeSessions acme,
    CertificateStateStore states,
    TimeProvider time,
    ILogger<FleetSynchronizer> logger)
{
    /// <summary>Syncs <paramref name="certificate"/> once.</summary>
    public async Task<FleetSyncResult> SyncAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var known = cache.Known(certificate.Name);
        var read = await manifests.ReadAsync(certificate.Name, known?.ETag, cancellationToken);
        switch (read)
        {
            case FleetManifestRead.Unchanged:
                return new FleetSyncResult.Current(known?.Manifest);
            case FleetManifestRead.Missing:
                cache.Forget(certificate.Name);
                return new FleetSyncResult.Missing();
        }

        var (manifest, etag) = (FleetManifestRead.Current)read;
        var result = await InstallIfNewerAsync(certificate, manifest, cancellationToken);
        cache.Remember(manifest, etag);
        return result;
    }

    /// <summary>Installs <paramref name="manifest"/>'s version when it is newer than what is live here and fits the configuration.</summary>
    public async Task<FleetSyncResult> InstallIfNewerAsync(ManagedCertificate certificate, FleetManifest manifest, CancellationToken cancellationToken)
    {
        var local = (await states.LoadAsync(certificate.Name, cancellationToken))?.Current;
        if (local is not null && (string.Equals(local.Serial, manifest.Serial, StringComparison.OrdinalIgnoreCase) || local.NotAfter > manifest.NotAfter))
        {
            return new FleetSyncResult.Current(manifest);
        }

        if (Misfit(certificate, manifest, time.GetUtcNow()) is { } why)
        {
            return new FleetSyncResult.Skipped(manifest, why);
        }

        var material = await manifests.DownloadAsync(manifest, cancellationToken);
        KeyTypeNames.TryParse(manifest.KeyType, out var keyType);
        var obtained = new IssuedCertificate(
            certificate.Name, manifest.Domains, keyType, material.CertificatePem, material.ChainPem, material.PrivateKeyPem,
            manifest.Serial, manifest.NotBefore, manifest.NotAfter, manifest.AriCertificateId, CertificateUrl: null);
        var outcome = await lifecycle.InstallAsync(
            certificate, obtained, acme.DefaultDirectoryUrl, AcmAsFleetHasIt(certificate, manifest), cancellationToken);
        FleetLog.CertificateInstalled(logger, certificate.Name, manifest.Serial, manifest.Version);
        return new FleetSyncResult.Installed(manifest, outcome);
    }

    /// <summary>
    /// Every configured ACM region as the fleet's manifest records it: the ARN and the serial imported there (an older
    /// serial when the renewer's import failed; nothing when no import ever succeeded). Installing never imports: a
    /// pending region is retried under the lease (<see cref="FleetCertificateRenewer.DeployPendingAsync"/>), once for
    /// the fleet, into the manifest's ARN.
    /// </summary>
    internal static Dictionary<string, TargetState> AcmAsFleetHasIt(ManagedCertificate certificate, FleetManifest manifest) =>
        (certificate.Acm?.Regions ?? []).ToDictionary(
            AcmTargetName.For,
            region => manifest.Acm.TryGetValue(region, out var imported)
                ? new TargetState { Arn = imported.Arn, HeldSerial = imported.Serial, LastSuccessAt = imported.ImportedAt }
                : new TargetState(),
            StringComparer.Ordinal);

    /// <summary>Why the fleet's version must not be installed for this configuration; null when it fits.</summary>
    internal static string? Misfit(ManagedCertificate certificate, FleetManifest manifest, DateTimeOffset now)
    {
        if (!manifest.Domains.ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(certificate.Domains))
        {
            return $"the fleet's version {manifest.Version} names {string.Join(", ", manifest.Domains)}, this configuration {string.Join(", ", certificate.Domains)}";
        }

        if (!KeyTypeNames.TryParse(manifest.KeyType, out var keyType) || keyType != certificate.KeyType)
        {
            return $"the fleet's version {manifest.Version} has a {manifest.KeyType} key, this configuration asks for {KeyTypeNames.ToName(certificate.KeyType)}";
        }

        return manifest.NotAfter <= now ? $"the fleet's version {manifest.Version} expired at {manifest.NotAfter:O}" : null;
    }
}
