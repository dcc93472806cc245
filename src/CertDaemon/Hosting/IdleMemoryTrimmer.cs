using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// Gives the memory a burst of work used back to the system once the daemon is idle again. A check of 100 certificates
/// (or the start-up before it) leaves megabytes of garbage in the GC's young generation; the daemon then sleeps for
/// hours, and without a collection that garbage stays resident the whole time. When the last piece of work ends and
/// nothing starts for <see cref="QuietPeriod"/>, one compacting collection in
/// <see cref="GCCollectionMode.Aggressive"/> mode runs, which also decommits the freed regions.
/// </summary>
/// <remarks>
/// Contract: <see cref="Enter"/> marks work as running until its handle is disposed (nesting and concurrency are
/// fine); the collection runs on a timer thread only when no work runs, at most once per quiet period, and never
/// throws. A collection costs a few milliseconds with the daemon's heap of a few megabytes.
/// </remarks>
internal sealed class IdleMemoryTrimmer : IDisposable
{
    /// <summary>How long nothing may run before the collection (so a run of checks finishing one after another collects once).</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(5);

    private readonly ILogger logger;
    private readonly Action collect;
    private readonly ITimer timer;
    private readonly Lock gate = new();
    private int running;

    public IdleMemoryTrimmer(TimeProvider time, ILogger<IdleMemoryTrimmer> logger)
        : this(time, logger, Collect)
    {
    }

    internal IdleMemoryTrimmer(TimeProvider time, ILogger logger, Action collect)
    {
        this.logger = logger;
        this.collect = collect;
        timer = time.CreateTimer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>How many collections ran (for tests and the debug log).</summary>
    public int Collections { get; private set; }

    /// <summary>Marks work as running until the returned handle is disposed.</summary>
    public IDisposable Enter()
    {
        lock (gate)
        {
            running++;
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        return new Handle(this);
    }

    public void Dispose() => timer.Dispose();

    private void Exit()
    {
        lock (gate)
        {
            if (--running == 0)
            {
                timer.Change(QuietPeriod, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnQuiet()
    {
        lock (gate)
        {
            if (running > 0)
            {
                return; // work started after the timer fired; its end arms the timer again
            }

            Collections++;
        }

        try
        {
            var before = GC.GetTotalMemory(forceFullCollection: false);
            collect();
            DaemonLog.IdleMemoryReturned(logger, before / 1024, GC.GetTotalMemory(forceFullCollection: false) / 1024);
        }
        catch (Exception exception)
        {
            // Never fatal: the daemon only keeps more memory than it needs.
            DaemonLog.IdleMemoryNotReturned(logger, exception, exception.Message);
        }
    }

    private static void Collect() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private sealed class Handle(IdleMemoryTrimmer owner) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Exit();
            }
        }
    }
}
