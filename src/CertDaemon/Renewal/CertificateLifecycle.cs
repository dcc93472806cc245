using CertDaemon.Certbot;
using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Issuance;
using CertDaemon.Kernel;
using CertDaemon.Renewal.Sources;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Renewal;

/// <summary>
/// Issue → commit → deploy → remember, for one certificate at a time. The CLI's <c>issue</c>/<c>renew</c> and the
/// daemon's scheduled job all go through here, so they behave the same.
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item>One run per certificate at a time: the certificate's <see cref="ICertificateLock"/> is held for the whole
/// run (a CLI <c>issue</c> waits for the daemon), and every step runs under its <see cref="ICertificateLockHandle.Lost"/>.</item>
/// <item>The certificate comes from the one <see cref="ICertificateSource"/> that applies to it; the lifecycle knows
/// no concrete source, lock or deploy target.</item>
/// <item>Nothing is stored unless the source returned a verified certificate; the store switches live atomically.</item>
/// <item>A deploy target that fails keeps the new version recorded as not held by that target, so the next check
/// retries the deployment (<see cref="DeployPendingAsync(ManagedCertificate, CancellationToken)"/>) without issuing again.</item>
/// <item>Failures are recorded in the state file (shown by <c>status</c>) and rethrown as they came.</item>
/// </list>
/// </remarks>
internal sealed partial class CertificateLifecycle(
    CertDaemonOptions options,
    IEnumerable<ICertificateSource> sources,
    ICertificateLock locks,
    CertificateStore store,
    CertificateStateStore states,
    IReadOnlyList<ICertificateDeployer> deployers,
    DeployHookRunner hooks,
    LiveStateRebuilder rebuilder,
    IssuanceThrottle throttle,
    TimeProvider time,
    ILogger<CertificateLifecycle> logger,
    CertbotHookRunner? certbotHooks = null) : ICertificateRenewer
{
    private readonly IReadOnlyList<ICertificateSource> _sources = [.. sources];

    /// <summary>Issues a new certificate for <paramref name="certificate"/>, commits it and deploys it everywhere it belongs.</summary>
    /// <exception cref="RenewedMeanwhileException">Another run made a new certificate current while this one waited for
    /// the lock: nothing was ordered.</exception>
    public async Task<LifecycleOutcome> IssueAndDeployAsync(ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        // What was current when this run was asked for, before any wait for the lock: a different serial after the
        // wait means another run renewed it meanwhile, and the request it answered is already met.
        var asked = (await states.LoadAsync(certificate.Name, cancellationToken))?.Current?.Serial;
        using var runLock = await locks.AcquireAsync(certificate.Name, cancellationToken);
        // Only when that certificate is what this run would order: names or key type changed since (an operator who
        // added a name and ran `issue`) mean the other run answered an older request.
        if ((await states.LoadAsync(certificate.Name, cancellationToken))?.Current is { } current
            && !string.Equals(current.Serial, asked, StringComparison.OrdinalIgnoreCase)
            && RenewalPlanner.SameNames(current.Domains, certificate.Domains)
            && string.Equals(current.KeyType, KeyTypeNames.ToName(certificate.KeyType), StringComparison.OrdinalIgnoreCase))
        {
            throw new RenewedMeanwhileException(certificate.Name, current.Serial, current.IssuedAt, time.GetUtcNow());
        }

        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runLock.Lost);
        // certbot's pre hooks before a renewal, its post hooks after it whatever happened (certbot's order).
        await RunCertbotHooksAsync(CertbotHookStage.Pre, certificate, run.Token);
        try
        {
            return await IssueAndDeployLockedAsync(certificate, runLock, run.Token);
        }
        finally
        {
            await RunCertbotHooksAsync(CertbotHookStage.Post, certificate, CancellationToken.None);
        }
    }

    private async Task<LifecycleOutcome> IssueAndDeployLockedAsync(
        ManagedCertificate certificate, ICertificateLockHandle runLock, CancellationToken cancellationToken)
    {
        var state = await states.LoadAsync(certificate.Name, cancellationToken) ?? new CertificateState { Name = certificate.Name };

        ObtainedCertificate obtained;
        StoredVersion stored;
        // Pending until nginx's deployment takes it (one reload for the certificates renewed in one check); the CA
        // slot is given back once the version is committed, as deploying does not talk to the CA.
        using var issuance = await throttle.EnterAsync(certificate.Name, cancellationToken);
        try
        {
            // Before the CA is asked: a live/NAME the commit would refuse must not cost an order (and rate limit).
            // A new version replaces live/NAME anyway; EnsureCanCommit refuses what the commit could not replace.
            await RepairLiveAsync(certificate.Name, state, cancellationToken);

            store.EnsureCanCommit(certificate.Name);
            obtained = await SourceFor(certificate).ObtainAsync(new CertificateSourceRequest(certificate, state.Current, runLock), cancellationToken);
            var issued = obtained.Certificate;
            stored = await store.CommitAsync(
                certificate.Name, new CertificateMaterial(issued.CertificatePem, issued.ChainPem, issued.PrivateKeyPem), cancellationToken);
            issuance.ReleaseSlot();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await RecordErrorAsync(certificate.Name, exception, "issuance", cancellationToken);
            throw;
        }

        return await RecordAndDeployAsync(certificate, obtained.Certificate, stored, obtained.IssuedBy, obtained.SourceArn, cancellationToken);
    }

    /// <summary>The one source that obtains <paramref name="certificate"/> (see <see cref="ICertificateSource.AppliesTo"/>).</summary>
    private ICertificateSource SourceFor(ManagedCertificate certificate) =>
        _sources.SingleOrDefault(s => s.AppliesTo(certificate))
        ?? throw new InvalidOperationException($"no certificate source applies to '{certificate.Name}' (Issuer {certificate.Issuer})");

    /// <summary>
    /// Installs a certificate that was obtained elsewhere (fleet mode: another instance issued it) exactly as an issued
    /// one: verified and committed to the store (atomic live switch), recorded, deployed to every target.
    /// </summary>
    /// <param name="issuedBy">The ACME directory that issued it (remembered for ARI and revocation).</param>
    /// <param name="heldElsewhere">Targets that another instance looks after (fleet mode: the ACM regions, imported into
    /// once for the whole fleet); they are recorded as given and not deployed to here.</param>
    /// <exception cref="CertificateMaterialException">The set is inconsistent; nothing was written.</exception>
    public async Task<LifecycleOutcome> InstallAsync(
        ManagedCertificate certificate, IssuedCertificate obtained, Uri issuedBy, IReadOnlyDictionary<string, TargetState> heldElsewhere, CancellationToken cancellationToken)
    {
        using var runLock = await locks.AcquireAsync(certificate.Name, cancellationToken);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runLock.Lost);
        cancellationToken = run.Token;
        StoredVersion stored;
        try
        {
            stored = await store.CommitAsync(
                certificate.Name, new CertificateMaterial(obtained.CertificatePem, obtained.ChainPem, obtained.PrivateKeyPem), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await RecordErrorAsync(certificate.Name, exception, "install", cancellationToken);
            throw;
        }

        if (heldElsewhere.Count > 0)
        {
            await states.UpdateAsync(certificate.Name, s => s with
            {
                Targets = new Dictionary<string, TargetState>(s.Targets.Concat(heldElsewhere).GroupBy(t => t.Key).Select(g => g.Last())),
            }, cancellationToken);
        }

        return await RecordAndDeployAsync(
            certificate, obtained, stored, issuedBy, sourceArn: null, cancellationToken,
            [.. DeployersFor(certificate).Where(d => !heldElsewhere.ContainsKey(d.Target))]);
    }

    private async Task<LifecycleOutcome> RecordAndDeployAsync(
        ManagedCertificate certificate, IssuedCertificate issued, StoredVersion stored, Uri issuedBy, string? sourceArn,
        CancellationToken cancellationToken, IReadOnlyList<ICertificateDeployer>? only = null)
    {
        var now = time.GetUtcNow();
        await states.UpdateAsync(certificate.Name, s => s with
        {
            Domains = certificate.AdHoc ? certificate.Domains : s.Domains,
            History = [.. s.History, new CertificateHistoryEntry(stored.Version, issued.SerialHex, issued.NotAfter, now)],
            Current = new CurrentCertificate(
                stored.Version, issued.SerialHex, issued.Domains, KeyTypeNames.ToName(issued.KeyType), issued.NotBefore, issued.NotAfter,
                issued.AriCertificateId, issuedBy, now, Issuer: certificate.Issuer, SourceArn: sourceArn),
            LastError = null,
            Targets = sourceArn is null ? s.Targets : new Dictionary<string, TargetState>(s.Targets)
            {
                // The ACM certificate is the source itself: ACM holds exactly what was exported (nothing is imported).
                [AcmTargetName.For(certificate.Acm!.Regions[0])] = new TargetState { HeldSerial = issued.SerialHex, Arn = sourceArn, LastAttemptAt = now, LastSuccessAt = now },
            },
        }, cancellationToken);

        var (deployments, hookResult) = await DeployAsync(certificate, stored with { Serial = issued.SerialHex }, issued.NotAfter, cancellationToken, only);
        return new LifecycleOutcome(certificate.Name, issued, stored, deployments, hookResult);
    }

    /// <summary>
    /// Retries every target that does not hold the current version (a failed deploy, a rollback, a new target),
    /// without issuing. Returns null when every target is up to date.
    /// </summary>
    public Task<LifecycleOutcome?> DeployPendingAsync(ManagedCertificate certificate, CancellationToken cancellationToken) =>
        DeployPendingAsync(certificate, cancellationToken, onlyTargets: null);

    /// <summary>As <see cref="DeployPendingAsync(ManagedCertificate, CancellationToken)"/>, for some targets only.</summary>
    /// <param name="onlyTargets">When given, only the targets it accepts are retried (fleet mode: this instance's own
    /// targets while another instance holds the lease for the shared ones).</param>
    public async Task<LifecycleOutcome?> DeployPendingAsync(
        ManagedCertificate certificate, CancellationToken cancellationToken, Func<string, bool>? onlyTargets)
    {
        using var runLock = await locks.AcquireAsync(certificate.Name, cancellationToken);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runLock.Lost);
        cancellationToken = run.Token;
        var loaded = await states.LoadAsync(certificate.Name, cancellationToken);
        await RepairLiveAsync(certificate.Name, loaded, cancellationToken);
        var state = await ReconcileWithLiveAsync(certificate.Name, loaded, cancellationToken);
        if (state?.Current is not { } current)
        {
            return null;
        }

        var pending = DeployersFor(certificate)
            .Where(d => (onlyTargets?.Invoke(d.Target) ?? true) && (!state.Targets.TryGetValue(d.Target, out var t) || t.HeldSerial != current.Serial))
            .ToList();
        if (pending.Count == 0)
        {
            return null;
        }

        // A failed nginx test switched live back; switch forward again before retrying (the deployer's contract).
        var live = store.GetLive(certificate.Name);
        var stored = live is not null && live.Version == current.Version
            ? live
            : await store.SwitchLiveAsync(certificate.Name, current.Version, cancellationToken);
        var (deployments, hookResult) = await DeployAsync(certificate, stored with { Serial = current.Serial }, current.NotAfter, cancellationToken, pending);
        return new LifecycleOutcome(certificate.Name, null, stored, deployments, hookResult);
    }

    /// <summary>
    /// <c>renew --dry-run</c>: a full issuance against <paramref name="directoryUrl"/> (a staging or test CA), verified
    /// and then discarded. Nothing is committed, deployed or recorded; the challenge records are cleaned up as always.
    /// </summary>
    public async Task<IssuedCertificate> DryRunAsync(ManagedCertificate certificate, Uri directoryUrl, CancellationToken cancellationToken)
    {
        var source = SourceFor(certificate);
        source.EnsureCanRehearse(certificate);
        using var runLock = await locks.AcquireAsync(certificate.Name, cancellationToken);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runLock.Lost);
        var rehearsal = new CertificateSourceRequest(certificate, Current: null, runLock) { RehearsalDirectoryUrl = directoryUrl };
        return (await source.ObtainAsync(rehearsal, run.Token)).Certificate;
    }

    /// <summary>
    /// <c>certdaemon delete NAME</c>: forgets the certificate (its state file), and with <paramref name="purge"/> also
    /// removes its files first, all while holding its run lock so no renewal is half-way through.
    /// </summary>
    /// <returns>The paths removed.</returns>
    public async Task<IReadOnlyList<string>> ForgetAsync(string name, bool purge, CancellationToken cancellationToken)
    {
        using var runLock = await locks.AcquireAsync(name, cancellationToken);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runLock.Lost);
        cancellationToken = run.Token;
        var removed = new List<string>();
        if (purge)
        {
            removed.AddRange(await store.PurgeAsync(name, cancellationToken));
        }

        var statePath = states.PathOf(name);
        if (File.Exists(statePath))
        {
            await states.DeleteAsync(name, cancellationToken);
            removed.Add(statePath);
        }

        return removed;
    }

    private IEnumerable<ICertificateDeployer> DeployersFor(ManagedCertificate certificate)
    {
        // An acm-export certificate already lives in ACM: never import a copy of it.
        var scope = new DeploymentScope(certificate.Nginx, certificate.Issuer == CertificateIssuers.AcmExport ? [] : certificate.Acm?.Regions ?? []);
        return deployers.Where(d => d.AppliesTo(scope));
    }

    private async Task<(IReadOnlyList<DeploymentResult>, DeployHooksResult?)> DeployAsync(
        ManagedCertificate certificate, StoredVersion version, DateTimeOffset notAfter, CancellationToken cancellationToken,
        IReadOnlyList<ICertificateDeployer>? only = null)
    {
        var serial = version.Serial;
        var context = new DeploymentContext(certificate.Name, certificate.Domains, serial, store.LivePath(certificate.Name))
        {
            Acm = certificate.Acm,
            KeyType = certificate.KeyType,
            Version = version,
        };
        var results = new List<DeploymentResult>();
        foreach (var deployer in only ?? DeployersFor(certificate).ToList())
        {
            // Targets are independent: each one is tried whatever the others did.
            var result = await deployer.DeployAsync(context, cancellationToken);
            results.Add(result);
            if (result is DeploymentResult.Failed refused)
            {
                DeploymentLog.DeploymentFailed(logger, certificate.Name, deployer.Target, serial, refused.Message);
            }

            var at = time.GetUtcNow();
            await states.UpdateAsync(certificate.Name, s => s with
            {
                Targets = new Dictionary<string, TargetState>(s.Targets)
                {
                    [deployer.Target] = result switch
                    {
                        // The ACM deployer saves a new ARN itself right after importing: never lose it here.
                        DeploymentResult.Succeeded ok => new TargetState
                        {
                            HeldSerial = ok.Holding.Serial ?? serial,
                            HeldNotAfter = ok.Holding.Serial is null || string.Equals(ok.Holding.Serial, serial, StringComparison.OrdinalIgnoreCase)
                                ? ok.Holding.NotAfter ?? notAfter
                                : ok.Holding.NotAfter,
                            Arn = ok.Holding.Arn ?? s.Targets.GetValueOrDefault(deployer.Target)?.Arn,
                            InUseCount = ok.Holding.InUseCount,
                            LastAttemptAt = at,
                            LastSuccessAt = at,
                            LastError = ok.Warnings.Count == 0 ? null : new StateError(string.Join("; ", ok.Warnings.Select(w => w.Message)), at, "warning"),
                        },
                        // A target that refused the new version keeps what it had: what it was seen to hold, else the last known.
                        DeploymentResult.Failed failed => (s.Targets.GetValueOrDefault(deployer.Target) ?? new TargetState()) with
                        {
                            HeldSerial = failed.Holding.Serial ?? s.Targets.GetValueOrDefault(deployer.Target)?.HeldSerial,
                            HeldNotAfter = failed.Holding.Serial is null
                                ? s.Targets.GetValueOrDefault(deployer.Target)?.HeldNotAfter
                                : failed.Holding.NotAfter,
                            ConsecutiveFailures = (s.Targets.GetValueOrDefault(deployer.Target)?.ConsecutiveFailures ?? 0) + 1,
                            Arn = failed.Holding.Arn ?? s.Targets.GetValueOrDefault(deployer.Target)?.Arn,
                            LastAttemptAt = at,
                            LastError = new StateError(failed.Message, at, failed.Stage.ToString()),
                        },
                        _ => throw new InvalidOperationException("unknown deployment result"),
                    },
                },
            }, cancellationToken);
        }

        DeployHooksResult? hookResult = null;
        if (results.All(r => r is DeploymentResult.Succeeded) && (options.DeployHooks.Count > 0 || certificate.DeployHooks.Count > 0))
        {
            hookResult = await hooks.RunAsync(context, options.DeployHooks, certificate.DeployHooks, cancellationToken: cancellationToken);
        }

        if (results.All(r => r is DeploymentResult.Succeeded))
        {
            await RunCertbotHooksAsync(CertbotHookStage.Deploy, certificate, cancellationToken);
        }

        return (results, hookResult);
    }

    private async Task RunCertbotHooksAsync(CertbotHookStage stage, ManagedCertificate certificate, CancellationToken cancellationToken)
    {
        if (certbotHooks is not null)
        {
            await certbotHooks.RunAsync(stage, certificate.Name, certificate.Domains, store.LivePath(certificate.Name), cancellationToken);
        }
    }

    /// <summary>
    /// Puts back what was lost of the live files of the version the state names (a deleted <c>live/NAME</c>, a deleted
    /// link in it, a key others may read): nginx reads those paths at its next reload or restart. Runs at every check.
    /// Never fails the run: what stays broken is logged (<c>LiveNotRestored</c>) and shown by <c>status</c>, and a
    /// renewal or a deployment must still go ahead (a key this process may not chmod must not block every renewal
    /// until the certificate expires).
    /// </summary>
    private async Task RepairLiveAsync(string name, CertificateState? state, CancellationToken cancellationToken)
    {
        if (state?.Current is not { } current)
        {
            return;
        }

        try
        {
            await store.RepairLiveAsync(name, current.Version, cancellationToken);
        }
        catch (Exception e) when (e is CertificateStoreException or CertificateMaterialException or IOException or UnauthorizedAccessException)
        {
            LifecycleLog.LiveNotRestored(logger, name, e.Message);
        }
    }

    /// <summary>
    /// A run killed after its live switch and before recording it leaves a newer version of ours live that the state
    /// does not know: nginx still serves the old one and every target looks current. Record what is live, so the
    /// targets that do not hold it are deployed now. Certbot's versions are not ours to adopt here.
    /// </summary>
    private async Task<CertificateState?> ReconcileWithLiveAsync(string name, CertificateState? state, CancellationToken cancellationToken)
    {
        // Usually the live version is the state's: its number settles that, without reading its certificate and the
        // lineage marker (every check that is not due comes here).
        var known = state?.Current?.Version ?? 0;
        if (store.GetLiveVersion(name) is not { } liveVersion || liveVersion <= known
            || store.GetLive(name) is not { IsCertbotVersion: false } live || live.Version <= known)
        {
            return state;
        }

        var adopted = rebuilder.Describe(live);
        LifecycleLog.InterruptedRunReconciled(logger, name, live.Version, live.Serial);
        return await states.UpdateAsync(name, s => s with
        {
            History = [.. s.History.Where(h => h.Version != live.Version), new CertificateHistoryEntry(live.Version, live.Serial, live.NotAfter, adopted.IssuedAt)],
            Current = adopted,
        }, cancellationToken);
    }

    private async Task RecordErrorAsync(string name, Exception exception, string kind, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        try
        {
            await states.UpdateAsync(name, s => s with { LastError = new StateError(exception.Message, at, kind) }, cancellationToken);
        }
        catch (Exception stateError) when (stateError is IOException or UnauthorizedAccessException)
        {
            // The original error matters more; the state file's own problem is logged, not thrown over it.
            LifecycleLog.StateNotRecorded(logger, stateError, name);
        }
    }
}
