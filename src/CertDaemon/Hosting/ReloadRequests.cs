using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// Turns reload requests (SIGHUP, file changes) into reloads that run one at a time, each told what asked for it.
/// A SIGHUP asks for a reload at once; file events are debounced (editors write in several steps).
/// </summary>
/// <remarks>
/// Contract: every request is followed by a reload that starts after it and is given the request's own trigger
/// (<see cref="Sighup"/> or <see cref="FileChanged"/>), also when it arrives while another reload runs or right after a
/// request of the other kind; an operator's <c>systemctl reload</c> is never folded into a file reload or relabelled.
/// Requests of one kind that arrive while one of that kind waits share it (each reload reads the whole file, so the
/// waiting one covers them all); a request arriving after a reload started gets a new one, since that reload may
/// have read the file before the change the request stands for. Requests made before <see cref="Start"/> wait for it;
/// none starts after <see cref="Stop"/> or <see cref="Dispose"/> (a reload already running finishes: <see cref="Idle"/>
/// completes when it has). Reloads never overlap. The reload delegate reports its own failures; one that throws anyway
/// is logged (<c>ConfigurationReloadFailed</c>) and the next request still runs, also when that log line throws.
/// </remarks>
internal sealed class ReloadRequests : IDisposable
{
    /// <summary>The <c>Trigger</c> of a reload asked for by SIGHUP (<c>systemctl reload</c>).</summary>
    public const string Sighup = "SIGHUP";

    /// <summary>The <c>Trigger</c> of a reload asked for by a change of the configuration file.</summary>
    public const string FileChanged = "file changed";

    private readonly Lock _gate = new();
    private readonly TimeSpan _debounce;
    private readonly Func<string, Task> _reload;
    private readonly ILogger _logger;
    private readonly ITimer _settled;

    // Triggers asked for and not started yet, in the order they were asked for (at most one of each).
    private readonly List<string> _waiting = [];
    private bool _started;
    private bool _stopped;

    // The running loop, completed when it ends; null while no reload runs or is about to.
    private TaskCompletionSource? _loop;

    public ReloadRequests(TimeProvider time, TimeSpan debounce, Func<string, Task> reload, ILogger logger)
    {
        _debounce = debounce;
        _reload = reload;
        _logger = logger;
        _settled = time.CreateTimer(_ => Enqueue(FileChanged), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Runs the requests made so far, and every later one.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _started = true;
        }

        RunWaiting();
    }

    /// <summary>
    /// Completes when no reload runs: at once while idle, otherwise when the running loop ends (after
    /// <see cref="Stop"/>, when the running reload has finished). Never faults.
    /// </summary>
    public Task Idle
    {
        get
        {
            lock (_gate)
            {
                return _loop?.Task ?? Task.CompletedTask;
            }
        }
    }

    /// <summary>No reload starts from now on (one already running finishes; await <see cref="Idle"/> for it).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            _waiting.Clear();
        }

        _settled.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A SIGHUP: reload now, or as soon as the running reload has finished.</summary>
    public void SignalReceived() => Enqueue(Sighup);

    /// <summary>A file event: reload once the file has been quiet for the debounce time.</summary>
    public void FileChangedEvent() => _settled.Change(_debounce, Timeout.InfiniteTimeSpan);

    /// <summary>Stops (see <see cref="Stop"/>): a host that fails to start disposes its services without stopping them.</summary>
    public void Dispose()
    {
        Stop();
        _settled.Dispose();
    }

    private void Enqueue(string trigger)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (!_waiting.Contains(trigger))
            {
                _waiting.Add(trigger);
            }
        }

        RunWaiting();
    }

    private void RunWaiting()
    {
        lock (_gate)
        {
            if (!_started || _stopped || _loop is not null || _waiting.Count == 0)
            {
                return;
            }

            _loop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        // On the thread pool: never inside the host's StartAsync or the runtime's signal dispatch.
        _ = Task.Run(RunAsync);
    }

    /// <summary>The one loop that reloads, while requests wait.</summary>
    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                string trigger;
                lock (_gate)
                {
                    if (_stopped || _waiting.Count == 0)
                    {
                        return;
                    }

                    trigger = _waiting[0];
                    _waiting.RemoveAt(0);
                }

                try
                {
                    await _reload(trigger);
                }
                catch (Exception exception)
                {
                    // The reload reports its own failures; this one escaped it. The loop must go on: a request waiting
                    // behind it would otherwise be lost without a word.
                    DaemonLog.ConfigurationReloadFailed(_logger, exception, exception.Message);
                }
            }
        }
        finally
        {
            // Also when the log line above threw (a logger being disposed): a loop left marked as running would drop
            // every later request without a trace.
            TaskCompletionSource loop;
            lock (_gate)
            {
                loop = _loop!;
                _loop = null;
            }

            loop.SetResult();

            // A request that came after the last look at the queue, or was left behind by a throw, saw this loop as
            // running and did not start one.
            RunWaiting();
        }
    }
}
