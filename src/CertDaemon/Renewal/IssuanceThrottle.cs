namespace CertDaemon.Renewal;

/// <summary>
/// The global limit on issuances running at the same time (<c>Renewal.MaxConcurrentIssuances</c>): checks, ARI polls
/// and deploy retries run freely, only issue-and-deploy waits here, so one slow CA order never delays the others'
/// bookkeeping and a burst of due certificates does not hit the CA's rate limits all at once.
/// </summary>
internal sealed class IssuanceThrottle(int maxConcurrentIssuances) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrentIssuances, maxConcurrentIssuances);

    public int MaxConcurrentIssuances { get; } = maxConcurrentIssuances;

    /// <summary>Waits for a slot; dispose the result to give it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
