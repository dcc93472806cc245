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
/// throws (work that starts while it runs overlaps it, harmlessly). Metrics scrapes and CLI commands are not work in
/// this sense: a scrape faults back in the code it runs, and that stays until the next burst of checks. A collection costs a few milliseconds with the daemon's heap of a few megabytes.
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
        : this(time, logger, null)
    {
    }

    /// <param name="collect">What to run when idle; null: the real collection and <see cref="ProgramImagePages.Release"/>.</param>
    internal IdleMemoryTrimmer(TimeProvider time, ILogger logger, Action? collect)
    {
        this.logger = logger;
        this.collect = collect ?? Collect;
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
            collect();
        }
        catch (Exception exception)
        {
            // Never fatal: the daemon only keeps more memory than it needs.
            DaemonLog.IdleMemoryNotReturned(logger, exception, exception.Message);
        }
    }

    private void Collect()
    {
        var before = GC.GetTotalMemory(forceFullCollection: false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var (_, imageBytes, imageError) = ProgramImagePages.Release();
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
