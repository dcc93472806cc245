using CertDaemon.Dns;

namespace CertDaemon.Fleet;

/// <summary>
/// A lease this process holds. It extends itself every third of the lease duration until disposed (which releases
/// it); when it cannot (someone took it over, or the store was unreachable until it expired) <see cref="Lost"/> is
/// cancelled, and the work under the lease must stop.
/// </summary>
/// <remarks>
/// The lease object also carries the holder's challenge journal (<see cref="RecordChallengesAsync"/>): each change is a
/// compare-and-swap on the lease's ETag, serialised with the extensions.
/// </remarks>
internal sealed class HeldLease : IAsyncDisposable
{
    private readonly FleetLeases _owner;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _heartbeat;
    private readonly IDisposable? _instanceLock;
    private FleetLease _lease;
    private string _etag;
    private int _ended;

    /// <param name="instanceLock">The instance's lock file of this certificate, kept until the lease is released.</param>
    internal HeldLease(FleetLeases owner, string name, FleetLease lease, string etag, IDisposable? instanceLock)
    {
        _owner = owner;
        _instanceLock = instanceLock;
        Name = name;
        _lease = lease;
        _etag = etag;
        _heartbeat = HeartbeatAsync();
    }

    public string Name { get; }

    public string Holder => _lease.Holder;

    public string Reason => _lease.Reason;

    /// <summary>
    /// The challenge names (<c>_acme-challenge.NAME</c>, normalised) of the certificate this lease covers: the fleet
    /// journal records values published at these names in this lease. Empty until the holder sets it.
    /// </summary>
    public IReadOnlySet<string> ChallengeNames { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Cancelled when the lease is lost: whatever runs under it must stop.</summary>
    public CancellationToken Lost => _lost.Token;

    public bool IsEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Adds challenge values to the lease's journal before they are published.</summary>
    /// <exception cref="FleetStoreException">The journal could not be written (do not publish).</exception>
    public Task RecordChallengesAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken) =>
        UpdateAsync(l => l with { Challenges = FleetLeases.Merge(l.Challenges, entries) }, cancellationToken);

    /// <summary>Removes challenge values from the lease's journal after they were removed from DNS.</summary>
    public Task RemoveChallengesAsync(IReadOnlyCollection<ChallengeJournalEntry> entries, CancellationToken cancellationToken)
    {
        var keys = entries.Select(e => e.Key).ToHashSet();
        return UpdateAsync(l => l with { Challenges = [.. l.Challenges.Where(e => !keys.Contains(e.Key))] }, cancellationToken);
    }

    /// <summary>The journal as the lease object has it.</summary>
    public IReadOnlyList<ChallengeJournalEntry> Challenges => _lease.Challenges;

    /// <summary>Stops extending and marks the lease released, so the next instance need not wait for it to expire.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await _heartbeat;
        _owner.Forget(this);
        try
        {
            if (!_lost.IsCancellationRequested)
            {
                // Released: the next instance need not wait for expiry. The journal stays listed: whatever this holder
                // could not remove is then removed by the next holder.
                await UpdateAsync(l => l with { Released = true, ExpiresAt = _owner.Time.GetUtcNow() }, CancellationToken.None);
                FleetLog.LeaseReleased(_owner.Logger, Name, Holder);
            }
        }
        catch (FleetStoreException e)
        {
            // Not released: it expires by itself; the next instance waits for that.
            FleetLog.LeaseNotReleased(_owner.Logger, e, Name, e.Message);
        }
        finally
        {
            _instanceLock?.Dispose();
            _lost.Dispose();
            _stop.Dispose();
            _gate.Dispose();
        }
    }

    private async Task UpdateAsync(Func<FleetLease, FleetLease> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_lost.IsCancellationRequested)
            {
                throw new FleetStoreException($"The fleet lease of '{Name}' was lost; not written.");
            }

            var next = change(_lease);
            var etag = await _owner.WriteAsync(Name, next, _etag, cancellationToken);
            if (etag is null)
            {
                await MarkLostAsync("another instance replaced it");
                throw new FleetStoreException($"The fleet lease of '{Name}' was taken by another instance; not written.");
            }

            _lease = next;
            _etag = etag;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task HeartbeatAsync()
    {
        var time = _owner.Time;
        var every = FleetLeaseRules.ExtendEvery(_owner.Duration);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await UpdateAsync(l => l with { ExpiresAt = time.GetUtcNow() + _owner.Duration }, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (FleetStoreException e)
            {
                if (_lost.IsCancellationRequested)
                {
                    return;
                }

                FleetLog.LeaseExtensionFailed(_owner.Logger, e, Name, e.Message, _lease.ExpiresAt);
                if (time.GetUtcNow() + every >= _lease.ExpiresAt)
                {
                    // The next attempt would come after expiry: from then on another instance may take over.
                    await MarkLostAsync("it could not be extended before it expired");
                    return;
                }
            }
        }
    }

    private async Task MarkLostAsync(string why)
    {
        if (!_lost.IsCancellationRequested)
        {
            FleetLog.LeaseLost(_owner.Logger, Name, Holder, why);
            await _lost.CancelAsync();
        }
    }
}
