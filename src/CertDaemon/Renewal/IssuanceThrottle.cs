using CertDaemon.Deployment;

namespace CertDaemon.Renewal;

/// <summary>
/// The global limit on issuances running at the same time (<c>Renewal.MaxConcurrentIssuances</c>): checks, ARI polls
/// and deployments run freely, only obtaining and committing a new version waits here, so one slow CA order never
/// delays the others' bookkeeping and a burst of due certificates does not hit the CA's rate limits all at once.
/// </summary>
/// <remarks>
/// It also knows which issuances are pending (waiting for a slot, holding one, or committed and on their way to
/// their deployment), which nginx's deployer asks (<see cref="IPendingIssuances"/>) so that certificates renewed in
/// the same check share one reload. The slot itself is given back as soon as the new version is committed
/// (<see cref="Issuance.ReleaseSlot"/>): a deployment waiting for the others must not keep them from starting.
/// </remarks>
internal sealed class IssuanceThrottle(int maxConcurrentIssuances, TimeProvider time) : IPendingIssuances, IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrentIssuances, maxConcurrentIssuances);
    private readonly Lock _lock = new();
    private readonly List<Issuance> _pending = [];
    private TaskCompletionSource _none = NoneNow();

    public int MaxConcurrentIssuances { get; } = maxConcurrentIssuances;

    /// <summary>
    /// Registers an issuance of <paramref name="certificateName"/> as pending and waits for a slot. Call
    /// <see cref="Issuance.ReleaseSlot"/> once the version is committed; dispose it when the run ends.
    /// </summary>
    public async Task<Issuance> EnterAsync(string certificateName, CancellationToken cancellationToken)
    {
        var issuance = new Issuance(this, certificateName);
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                _none = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _pending.Add(issuance);
        }

        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Leave(issuance);
            throw;
        }

        issuance.HoldsSlot = true;
        return issuance;
    }

    /// <inheritdoc />
    public void Deploying(string certificateName)
    {
        Issuance? issuance;
        lock (_lock)
        {
            issuance = _pending.Find(i => string.Equals(i.CertificateName, certificateName, StringComparison.OrdinalIgnoreCase));
        }

        if (issuance is not null)
        {
            Leave(issuance);
        }
    }

    /// <inheritdoc />
    public async Task WaitUntilNoneAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        Task none;
        lock (_lock)
        {
            none = _none.Task;
        }

        if (none.IsCompleted)
        {
            return;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(none, Task.Delay(limit, time, timer.Token));
        await timer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose() => _slots.Dispose();

    private void Leave(Issuance issuance)
    {
        TaskCompletionSource? none = null;
        lock (_lock)
        {
            if (_pending.Remove(issuance) && _pending.Count == 0)
            {
                none = _none;
            }
        }

        none?.TrySetResult();
    }

    private static TaskCompletionSource NoneNow()
    {
        var none = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        none.SetResult();
        return none;
    }

    /// <summary>One pending issuance: its slot until <see cref="ReleaseSlot"/>, its place among the pending until disposed or deploying.</summary>
    internal sealed class Issuance(IssuanceThrottle throttle, string certificateName) : IDisposable
    {
        private int _slotReleased;

        public string CertificateName { get; } = certificateName;

        internal bool HoldsSlot { get; set; }

        /// <summary>Gives the slot back (the version is committed); it stays pending until its deployment starts.</summary>
        public void ReleaseSlot()
        {
            if (HoldsSlot && Interlocked.Exchange(ref _slotReleased, 1) == 0)
            {
                throttle._slots.Release();
            }
        }

        public void Dispose()
        {
            ReleaseSlot();
            throttle.Leave(this);
        }
    }
}
