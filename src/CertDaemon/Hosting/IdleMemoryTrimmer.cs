using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// Gives the memory a burst of work used back to the system once the daemon is idle again. A check of 100 certificates
/// (or the start-up before it) leaves megabytes of garbage in the GC's young generation; the daemon then sleeps for
/// hours, and without a collection that garbage stays resident the whole time. When the last piece of work ends and
/// nothing starts for <see cref="QuietPeriod"/>, one compacting collection in
/// <see cref="GCCollectionMode.Aggressive"/> mode runs, which also decommits the freed regions, and the pages of the
/// program's own image the burst faulted in are given back (<see cref="ProgramImagePages"/>). Together they take the
/// idle native daemon with 100 certificates from about 50 MB RSS to about 23 MB; the next check faults back in what
/// it needs.
/// </summary>
/// <remarks>
/// Contract: <see cref="Enter"/> marks work as running until its handle is disposed (nesting and concurrency are
/// fine); the collection starts on a timer thread only when no work runs, at most once per quiet period, and never
/// throws (work that starts while it runs overlaps it, harmlessly). A metrics scrape is light work: the heap is
/// collected after it, the program's pages are not given back (Prometheus scrapes every few seconds to a minute). A collection costs a few milliseconds with the daemon's heap of a few megabytes.
/// </remarks>
internal sealed class IdleMemoryTrimmer : IDisposable
{
    /// <summary>How long nothing may run before the collection (so a run of checks finishing one after another collects once).</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(5);

    private readonly ILogger logger;
    private readonly Action<bool> collect;
    private readonly ITimer timer;
    private readonly Lock gate = new();
    private int running;
    private bool checkedSinceCollection;

    public IdleMemoryTrimmer(TimeProvider time, ILogger<IdleMemoryTrimmer> logger)
        : this(time, logger, null)
    {
    }

    /// <param name="collect">What to run when idle, told whether a check ran since the last time; null: the real
    /// collection, and <see cref="ProgramImagePages.Release"/> after a check.</param>
    internal IdleMemoryTrimmer(TimeProvider time, ILogger logger, Action<bool>? collect)
    {
        this.logger = logger;
        this.collect = collect ?? Collect;
        timer = time.CreateTimer(_ => OnQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Marks work as running until the returned handle is disposed.</summary>
    /// <param name="scrape">A metrics scrape, not a check: its garbage is collected afterwards, but the program's pages
    /// stay (the next scrape, seconds later, needs the same ones; giving them back would read them from disk each time).</param>
    public IDisposable Enter(bool scrape = false)
    {
        lock (gate)
        {
            running++;
            checkedSinceCollection |= !scrape;
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
        bool afterCheck;
        lock (gate)
        {
            if (running > 0)
            {
                return; // work started after the timer fired; its end arms the timer again
            }

            afterCheck = checkedSinceCollection;
            checkedSinceCollection = false;
        }

        try
        {
            collect(afterCheck);
        }
        catch (Exception exception)
        {
            // Never fatal: the daemon only keeps more memory than it needs.
            DaemonLog.IdleMemoryNotReturned(logger, exception, exception.Message);
        }
    }

    private void Collect(bool afterCheck)
    {
        var before = GC.GetTotalMemory(forceFullCollection: false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var (_, imageBytes, imageError) = afterCheck ? ProgramImagePages.Release() : (0, 0, null);
        DaemonLog.IdleMemoryReturned(logger, before / 1024, GC.GetTotalMemory(forceFullCollection: false) / 1024, imageBytes / 1024,
            imageError is null ? "" : $" (not all of the program's pages could be given back: {imageError})");
    }

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
