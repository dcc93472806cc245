namespace CertDaemon.Hosting;

/// <summary>
/// Turns reload requests (SIGHUP, file changes) into reloads that run one at a time. A SIGHUP asks for a reload at
/// once; file events are debounced (editors write in several steps).
/// </summary>
internal sealed class ReloadRequests(TimeProvider time, TimeSpan debounce, Func<string, Task> reload) : IDisposable
{
    /// <summary>The <c>Trigger</c> of a reload asked for by SIGHUP (<c>systemctl reload</c>).</summary>
    public const string Sighup = "SIGHUP";

    /// <summary>The <c>Trigger</c> of a reload asked for by a change of the configuration file.</summary>
    public const string FileChanged = "file changed";

    private readonly SemaphoreSlim _reloading = new(1, 1);
    private ITimer? _timer;
    private string _trigger = FileChanged;

    /// <summary>Reloads from now on.</summary>
    public void Start() =>
        _timer = time.CreateTimer(_ => _ = RunAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>A SIGHUP: reload now.</summary>
    public void SignalReceived() => Request(Sighup, TimeSpan.Zero);

    /// <summary>A file event: reload once the file has been quiet for the debounce time.</summary>
    public void FileChangedEvent() => Request(FileChanged, debounce);

    public void Dispose()
    {
        _timer?.Dispose();
        _reloading.Dispose();
    }

    private void Request(string trigger, TimeSpan delay)
    {
        _trigger = trigger;
        _timer?.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private async Task RunAsync()
    {
        await _reloading.WaitAsync(CancellationToken.None);
        try
        {
            await reload(_trigger);
        }
        finally
        {
            _reloading.Release();
        }
    }
}
