using CertDaemon.Configuration;
using CertDaemon.Kernel;
using CertDaemon.Dns;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>
/// The renewal workflow in fleet mode, around the single-box <see cref="CertificateLifecycle"/>: every check first
/// installs the fleet's newer version (<see cref="FleetSynchronizer"/>); a due renewal runs only under the
/// certificate's lease, and its result is published with a compare-and-swap on the manifest.
/// </summary>
/// <remarks>
/// <para>Renewal under the lease: re-read the manifest (another instance may have renewed since this check planned:
/// then install theirs, no order) → order, commit and deploy locally (ACM imports into the fleet's ARNs) → upload
/// the version's files → replace the manifest with <c>If-Match</c> on the ETag read under the lease. A refused
/// replace (the lease was lost and someone else published) re-reads and installs the fleet's version.</para>
/// <para>A busy lease is <see cref="RenewalDeferredException"/> (look again soon, when the holder's result can be
/// installed), not a failure. An expired lease taken over brings the dead holder's journaled challenge records into
/// the local journal, which the lifecycle removes before ordering.</para>
/// </remarks>
internal sealed class FleetCertificateRenewer(
    CertificateLifecycle lifecycle,
    FleetSynchronizer synchronizer,
    FleetManifestStore manifests,
    FleetManifestCache cache,
    FleetLeases leases,
    FleetAccountKeys accountKeys,
    IChallengeJournal localJournal,
    CertificateStateStore states,
    TimeProvider time,
    ILogger<FleetCertificateRenewer> logger) : ICertificateRenewer
{
    public const string RenewalReason = "renewal";

    /// <summary>The lease's reason while an instance retries the fleet's ACM import.</summary>
    public const string AcmImportReason = "acm-import";

    public async Task SynchronizeAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        await accountKeys.EnsureSharedAsync(cancellationToken);
        await synchronizer.SyncAsync(certificate, cancellationToken);
    }

    /// <summary>
    /// Retries the targets that do not hold the current version. This instance's own targets (nginx) are retried
    /// here; an ACM region is the fleet's: retried only under the lease, so one instance at a time imports, into the
    /// manifest's ARN, and records the result in the manifest. A busy lease retries the own targets only.
    /// </summary>
    public async Task<LifecycleOutcome?> DeployPendingAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var state = await states.LoadAsync(certificate.Name, cancellationToken);
        if (state?.Current is not { } current || !AcmPending(certificate, state, current.Serial))
        {
            return await lifecycle.DeployPendingAsync(certificate, cancellationToken);
        }

        var attempt = await leases.TryAcquireAsync(certificate.Name, AcmImportReason, cancellationToken);
        if (attempt is FleetLeaseAttempt.Busy busy)
        {
            FleetLog.LeaseBusy(logger, certificate.Name, busy.Holder, busy.Reason, busy.Until);
            return await lifecycle.DeployPendingAsync(certificate, cancellationToken, OwnTarget);
        }

        await using var lease = ((FleetLeaseAttempt.Acquired)attempt).Lease;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        var token = linked.Token;

        // Under the lease the manifest is the truth: another instance may have imported this serial since.
        if (await manifests.ReadAsync(certificate.Name, null, token) is not FleetManifestRead.Current fleet
            || !string.Equals(fleet.Manifest.Serial, current.Serial, StringComparison.OrdinalIgnoreCase))
        {
            // The fleet moved on (its version is installed at the next check) or has nothing: own targets only.
            return await lifecycle.DeployPendingAsync(certificate, token, OwnTarget);
        }

        var recorded = FleetSynchronizer.AcmAsFleetHasIt(certificate, fleet.Manifest).Where(t => t.Value.Arn is not null);
        await states.UpdateAsync(certificate.Name, s => s with
        {
            Targets = new Dictionary<string, TargetState>(s.Targets.Concat(recorded).GroupBy(t => t.Key).Select(g => g.Last())),
        }, token);
        var outcome = await lifecycle.DeployPendingAsync(certificate, token);
        var acm = AcmImports(fleet.Manifest, await states.LoadAsync(certificate.Name, token));
        if (!SameImports(acm, fleet.Manifest.Acm))
        {
            // A refused write leaves the import recorded here only; the next retry re-reads and finds it in ACM.
            if (await manifests.TryWriteAsync(fleet.Manifest with { Acm = acm }, fleet.ETag, token) is { } etag)
            {
                cache.Remember(fleet.Manifest with { Acm = acm }, etag);
            }
        }

        return outcome;
    }

    private static bool OwnTarget(string target) => !AcmTargetName.TryGetRegion(target, out _);

    private static bool AcmPending(ManagedCertificate certificate, CertificateState state, string serial) =>
        certificate.Issuer != CertificateIssuers.AcmExport
        && (certificate.Acm?.Regions ?? []).Any(r => state.Targets.GetValueOrDefault(AcmTargetName.For(r))?.HeldSerial is not { } held
            || !string.Equals(held, serial, StringComparison.OrdinalIgnoreCase));

    private static bool SameImports(IReadOnlyDictionary<string, FleetAcmImport> a, IReadOnlyDictionary<string, FleetAcmImport> b) =>
        a.Count == b.Count && a.All(x => b.TryGetValue(x.Key, out var y) && x.Value.Arn == y.Arn
            && string.Equals(x.Value.Serial, y.Serial, StringComparison.OrdinalIgnoreCase));

    public async Task<LifecycleOutcome> IssueAndDeployAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        await accountKeys.EnsureSharedAsync(cancellationToken);
        var attempt = await leases.TryAcquireAsync(certificate.Name, RenewalReason, cancellationToken);
        if (attempt is FleetLeaseAttempt.Busy busy)
        {
            // Look again well before the lease could expire: the holder's result is usually ready within seconds.
            var soon = time.GetUtcNow() + FleetLeaseRules.ExtendEvery(leases.Duration);
            var retryAt = busy.Until < soon ? busy.Until : soon;
            FleetLog.LeaseBusy(logger, certificate.Name, busy.Holder, busy.Reason, retryAt);
            throw new RenewalDeferredException($"{busy.Holder} holds the fleet lease ({busy.Reason})", retryAt);
        }

        var acquired = (FleetLeaseAttempt.Acquired)attempt;
        await using var lease = acquired.Lease;
        lease.ChallengeNames = ChallengeNames(certificate.Domains);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        var token = linked.Token;

        if (acquired.Abandoned is { Challenges.Count: > 0 } abandoned)
        {
            // The lifecycle removes journaled leftovers of this certificate before it orders.
            FleetLog.ChallengeRecordsInherited(logger, certificate.Name, abandoned.Challenges.Count, abandoned.Holder);
            await localJournal.RecordPendingAsync(abandoned.Challenges, token);
        }

        var read = await manifests.ReadAsync(certificate.Name, null, token);
        var current = read as FleetManifestRead.Current;
        if (current is not null && await synchronizer.InstallIfNewerAsync(certificate, current.Manifest, token) is FleetSyncResult.Installed installed)
        {
            // Renewed by another instance after this check planned: theirs is installed, nothing is ordered.
            cache.Remember(current.Manifest, current.ETag);
            return installed.Outcome;
        }

        var outcome = await lifecycle.IssueAndDeployAsync(certificate, token);
        await PublishAsync(certificate, outcome, current, token);
        return outcome;
    }

    /// <summary>The normalised challenge names of <paramref name="domains"/> (a wildcard shares its base name's).</summary>
    internal static IReadOnlySet<string> ChallengeNames(IEnumerable<string> domains) =>
        domains.Select(d => DnsName.Normalize("_acme-challenge." + (d.StartsWith("*.", StringComparison.Ordinal) ? d[2..] : d))).ToHashSet(StringComparer.Ordinal);

    private async Task PublishAsync(ManagedCertificate certificate, LifecycleOutcome outcome, FleetManifestRead.Current? previous, CancellationToken cancellationToken)
    {
        var issued = outcome.Issued ?? throw new InvalidOperationException("an issuance outcome without a certificate");
        var version = (previous?.Manifest.Version ?? 0) + 1;
        var material = new CertificateMaterial(issued.CertificatePem, issued.ChainPem, issued.PrivateKeyPem);
        var files = await manifests.UploadAsync(certificate.Name, version, issued.SerialHex, material, cancellationToken);
        var state = await states.LoadAsync(certificate.Name, cancellationToken);
        var manifest = new FleetManifest(
            FleetManifest.CurrentSchemaVersion, certificate.Name, version, issued.SerialHex, issued.Domains, KeyTypeNames.ToName(issued.KeyType),
            issued.NotBefore, issued.NotAfter, issued.AriCertificateId, state?.Current?.DirectoryUrl ?? new Uri("about:blank"),
            time.GetUtcNow(), leases.Instance.Id, files, AcmImports(previous?.Manifest, state));

        if (await manifests.TryPublishAsync(manifest, previous?.Manifest, previous?.ETag, cancellationToken) is var (written, etag, retired))
        {
            cache.Remember(written, etag);
            FleetLog.CertificatePublished(logger, certificate.Name, issued.SerialHex, version);
            await RetireAsync(written, retired, cancellationToken);
            return;
        }

        // A stale writer: someone published after our read (our lease was lost). Never overwrite; adopt theirs.
        var winner = await manifests.ReadAsync(certificate.Name, null, cancellationToken);
        if (winner is FleetManifestRead.Current theirs)
        {
            FleetLog.ManifestConflict(logger, certificate.Name, theirs.Manifest.Version);
            await synchronizer.InstallIfNewerAsync(certificate, theirs.Manifest, cancellationToken);
            cache.Remember(theirs.Manifest, theirs.ETag);
        }
    }

    /// <summary>Deletes the versions the new manifest no longer keeps; a failure leaves them orphaned, never fails the renewal.</summary>
    private async Task RetireAsync(FleetManifest current, IReadOnlyList<FleetPreviousVersion> retired, CancellationToken cancellationToken)
    {
        if (retired.Count == 0)
        {
            return;
        }

        try
        {
            await manifests.DeleteVersionsAsync(current, retired, cancellationToken);
            FleetLog.VersionsDeleted(logger, current.Name, string.Join(", ", retired.Select(v => v.Version)));
        }
        catch (FleetStoreException e)
        {
            FleetLog.VersionsNotDeleted(logger, e, current.Name, string.Join(", ", retired.Select(v => v.Version)), e.Message);
        }
    }

    /// <summary>The fleet's ACM certificates after this renewal: what this instance imported, else what the fleet had.</summary>
    private static Dictionary<string, FleetAcmImport> AcmImports(FleetManifest? previous, CertificateState? state)
    {
        var imports = new Dictionary<string, FleetAcmImport>(previous?.Acm ?? new Dictionary<string, FleetAcmImport>(), StringComparer.Ordinal);
        foreach (var (target, held) in state?.Targets ?? new Dictionary<string, TargetState>())
        {
            if (AcmTargetName.TryGetRegion(target, out var region) && held is { Arn: { } arn, HeldSerial: { } serial })
            {
                imports[region] = new FleetAcmImport(arn, serial, held.LastSuccessAt ?? DateTimeOffset.MinValue);
            }
        }

        return imports;
    }
}
