using System.Collections.Concurrent;
using System.Text.Json;
using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>
/// Takes, extends and releases the per-certificate renewal leases in the fleet store (see <see cref="FleetLeaseRules"/>
/// for the decisions): created with <c>If-None-Match: *</c>, extended with <c>If-Match</c>, taken over only after it
/// expired by a compare-and-swap on the expired lease's ETag. Keeps the leases this process holds, so a deploy step or
/// the challenge journal can find the lease of the certificate it works on.
/// </summary>
internal sealed class FleetLeases(IFleetObjectStore store, FleetOptions options, FleetInstance instance, TimeProvider time, ILogger<FleetLeases> logger)
{
    private readonly ConcurrentDictionary<string, HeldLease> _held = new(StringComparer.Ordinal);

    public FleetInstance Instance => instance;

    public TimeSpan Duration => options.LeaseDuration;

    /// <summary>The lease this process holds on <paramref name="name"/>, if any.</summary>
    public HeldLease? Held(string name) => _held.TryGetValue(name, out var lease) && !lease.IsEnded ? lease : null;

    /// <summary>Every lease this process holds now.</summary>
    public IReadOnlyList<HeldLease> AllHeld => [.. _held.Values.Where(l => !l.IsEnded)];

    /// <summary>
    /// One attempt to take the lease of <paramref name="name"/> for <paramref name="reason"/>. Never waits for another
    /// holder: a busy lease is an answer (<see cref="FleetLeaseAttempt.Busy"/>), not an error.
    /// </summary>
    /// <exception cref="FleetStoreException">The store could not be read or written.</exception>
    public async Task<FleetLeaseAttempt> TryAcquireAsync(string name, string reason, CancellationToken cancellationToken)
    {
        // Processes of one instance (the daemon and a CLI command on one state directory) take the instance's lock
        // file of the certificate first and keep it while they hold the lease: whoever gets the file knows that a lease
        // of its own instance by another process was left by a dead one.
        var instanceLock = await TryLockInstanceAsync(name, cancellationToken);
        if (instanceLock is null && instance.LockDirectory is not null)
        {
            var until = time.GetUtcNow() + FleetLeaseRules.ExtendEvery(options.LeaseDuration);
            return new FleetLeaseAttempt.Busy("(another process of this instance)", reason, until);
        }

        try
        {
            var attempt = await TryAcquireUnderInstanceLockAsync(name, reason, instanceLock, cancellationToken);
            if (attempt is FleetLeaseAttempt.Acquired)
            {
                instanceLock = null; // the held lease keeps it
            }

            return attempt;
        }
        finally
        {
            instanceLock?.Dispose();
        }
    }

    private async Task<LineageLock?> TryLockInstanceAsync(string name, CancellationToken cancellationToken)
    {
        if (instance.LockDirectory is not { } directory)
        {
            return null;
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            // A folder of its own: a certificate named "a.fleet-lease" must not share a lock file with "a".
            var fleetLocks = Path.Combine(directory, "fleet");
            Directory.CreateDirectory(fleetLocks, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return await LineageLock.AcquireAsync(name, Path.Combine(fleetLocks, name + ".lease.lock"), TimeSpan.Zero, time, cancellationToken);
        }
        catch (LockHeldException)
        {
            // Only contention means "another process of this instance"; a lock file that cannot be opened at all is a
            // failure of this check (reported, counted, notified), never a silent deferral.
            return null;
        }
    }

    private async Task<FleetLeaseAttempt> TryAcquireUnderInstanceLockAsync(string name, string reason, LineageLock? instanceLock, CancellationToken cancellationToken)
    {
        var key = FleetKeys.Lease(name);
        var read = await store.GetAsync(key, null, cancellationToken);
        (FleetLease, string)? current = read is FleetRead.Found found ? (ParseLease(key, found.Content), found.ETag) : null;
        var now = time.GetUtcNow();

        // A lease names its holder's instance together with a token that holder wrote into its lock file on its own
        // machine. Only a process that now holds that very file and reads that very token knows the holder is dead:
        // a clone of the state directory elsewhere (same instance id) has its own lock file and never matches.
        var previousToken = instanceLock?.ReadNote();
        var deadPredecessor = instanceLock is null || instance.Instance is null || string.IsNullOrEmpty(previousToken)
            ? null
            : instance.Instance + "#" + previousToken;
        var token = Guid.NewGuid().ToString("N");
        var decision = FleetLeaseRules.Decide(current, instance.Id, now, options.LeaseDuration, deadPredecessor);
        if (decision is FleetLeaseDecision.Wait wait)
        {
            return new FleetLeaseAttempt.Busy(wait.Holder, wait.Reason, wait.Until);
        }

        var takeOver = decision as FleetLeaseDecision.TakeOver;

        // An expired lease's holder died or lost contact; a released one may still list records its holder could not
        // remove. Either way the new holder inherits the journal (and keeps it listed until the records are gone).
        var abandoned = takeOver is { Expired: true } || takeOver?.Previous.Challenges.Count > 0 ? takeOver!.Previous : null;
        var lease = new FleetLease(
            instance.Id, now, now + options.LeaseDuration, reason, Released: false, abandoned?.Challenges ?? [],
            instance.Instance is null || instanceLock is null ? instance.Instance : instance.Instance + "#" + token);
        var condition = takeOver is null ? FleetWriteCondition.Absent : FleetWriteCondition.Matches(takeOver.ETag);
        var written = await store.PutAsync(key, Serialize(lease), condition, secret: false, cancellationToken);
        if (written is not FleetWrite.Written ok)
        {
            // Someone else created or took it between our read and write: theirs now.
            FleetLog.LeaseRaceLost(logger, name, instance.Id);
            return new FleetLeaseAttempt.Busy("(another instance)", reason, now + FleetLeaseRules.SkewMargin(options.LeaseDuration));
        }

        if (takeOver is { Expired: true } && abandoned is not null)
        {
            if (abandoned.ExpiresAt + FleetLeaseRules.SkewMargin(options.LeaseDuration) > now)
            {
                FleetLog.LeaseReclaimed(logger, name, abandoned.Holder, abandoned.ExpiresAt, abandoned.Challenges.Count);
            }
            else
            {
                FleetLog.LeaseTakenOver(logger, name, abandoned.Holder, abandoned.ExpiresAt, abandoned.Challenges.Count);
            }
        }

        // Written after the lease: a crash in between leaves a token that matches nothing, so the restarted process
        // waits for expiry as any other instance would (safe, only slower).
        instanceLock?.WriteNote(token);
        var held = new HeldLease(this, name, lease, ok.ETag, instanceLock);
        _held[name] = held;
        FleetLog.LeaseAcquired(logger, name, instance.Id, reason, lease.ExpiresAt);
        return new FleetLeaseAttempt.Acquired(held, abandoned);
    }

    internal async Task<string?> WriteAsync(string name, FleetLease lease, string etag, CancellationToken cancellationToken)
    {
        var written = await store.PutAsync(FleetKeys.Lease(name), Serialize(lease), FleetWriteCondition.Matches(etag), secret: false, cancellationToken);
        return written is FleetWrite.Written ok ? ok.ETag : null;
    }

    internal void Forget(HeldLease lease) => _held.TryRemove(new KeyValuePair<string, HeldLease>(lease.Name, lease));

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    internal static IReadOnlyList<ChallengeJournalEntry> Merge(IReadOnlyList<ChallengeJournalEntry> existing, IEnumerable<ChallengeJournalEntry> added) =>
        [.. existing.Concat(added).DistinctBy(e => e.Key)];

    private FleetLease ParseLease(string key, byte[] content)
    {
        try
        {
            return JsonSerializer.Deserialize(content, FleetJsonContext.Default.FleetLease)
                ?? throw new FleetStoreException($"{store.Location}{key} is empty.");
        }
        catch (JsonException e)
        {
            throw new FleetStoreException($"{store.Location}{key} is not a CertDaemon lease: {e.Message}", e);
        }
    }

    private static byte[] Serialize(FleetLease lease) => JsonSerializer.SerializeToUtf8Bytes(lease, FleetJsonContext.Default.FleetLease);
}
