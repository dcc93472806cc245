using System.Threading.Channels;
using CertDaemon.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Hosting;

/// <summary>
/// What an operator relies on when reloading: every SIGHUP (<c>systemctl reload</c>) and every settled file change is
/// followed by a reload that starts after it and is logged with its own trigger, also when it arrives while another
/// reload runs, right after a file event, or before the daemon has finished starting; reloads never overlap.
/// </summary>
public sealed class ReloadRequestsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Channel<string> _started = Channel.CreateUnbounded<string>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource> _finishers = new();
    private readonly CancellationTokenSource _hangGuard = new(TimeSpan.FromSeconds(20));
    private readonly ReloadRequests _requests;
    private int _running;
    private int _overlaps;

    public ReloadRequestsTests() => _requests = new ReloadRequests(_time, ConfigurationReloader.Debounce, ReloadAsync, NullLogger.Instance);

    [Fact]
    public async Task A_sighup_during_a_reload_gets_its_own_reload_labelled_SIGHUP_although_a_file_event_follows_it()
    {
        _requests.Start();
        _requests.FileChangedEvent();
        _time.Advance(ConfigurationReloader.Debounce);
        Assert.Equal(ReloadRequests.FileChanged, await NextStartedAsync());

        // While that reload runs: the operator's reload, then the editor's last write.
        _requests.SignalReceived();
        _requests.FileChangedEvent();
        Finish();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Finish();
        _time.Advance(ConfigurationReloader.Debounce);
        Assert.Equal(ReloadRequests.FileChanged, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync();
    }

    [Fact]
    public async Task A_sighup_right_after_a_file_event_reloads_at_once_and_the_settled_file_is_reloaded_too()
    {
        _requests.Start();
        _requests.FileChangedEvent();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        _time.Advance(TimeSpan.FromMilliseconds(100));
        _requests.FileChangedEvent(); // written again while the SIGHUP reload runs
        Finish();
        await AssertNothingMoreStartsAsync();
        _time.Advance(ConfigurationReloader.Debounce);
        Assert.Equal(ReloadRequests.FileChanged, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync();
    }

    [Fact]
    public async Task Requests_made_before_the_start_are_kept_and_run_once_started()
    {
        _requests.SignalReceived();
        _requests.FileChangedEvent();
        _time.Advance(ConfigurationReloader.Debounce * 2);
        await AssertNothingMoreStartsAsync();

        _requests.Start();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Finish();
        Assert.Equal(ReloadRequests.FileChanged, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync();
    }

    [Fact]
    public async Task Requests_waiting_for_the_running_reload_share_one_reload_per_trigger_and_a_burst_of_file_events_is_one()
    {
        _requests.Start();
        for (var write = 0; write < 3; write++)
        {
            _requests.FileChangedEvent();
            _time.Advance(ConfigurationReloader.Debounce / 2);
        }

        await AssertNothingMoreStartsAsync(); // still being written
        _time.Advance(ConfigurationReloader.Debounce / 2);
        Assert.Equal(ReloadRequests.FileChanged, await NextStartedAsync());

        _requests.SignalReceived();
        _requests.SignalReceived();
        _requests.SignalReceived();
        Finish();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        _requests.SignalReceived(); // after that reload started: it may have read the file already, so one more
        Finish();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync();
        Assert.Equal(0, _overlaps);
    }

    [Fact]
    public async Task A_reload_that_throws_does_not_stop_the_next_request()
    {
        _requests.Start();
        _requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Assert.True(_finishers.TryDequeue(out var failing));
        failing.SetException(new InvalidOperationException("broken"));
        _running--;

        _requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync();
    }

    [Fact]
    public async Task Nothing_starts_after_stop()
    {
        _requests.Start();
        _requests.FileChangedEvent();
        _requests.Stop();
        _requests.SignalReceived();
        _time.Advance(ConfigurationReloader.Debounce * 2);
        await AssertNothingMoreStartsAsync();
    }

    [Fact]
    public async Task Stop_during_a_reload_lets_it_finish_and_drops_the_requests_waiting_behind_it()
    {
        _requests.Start();
        _requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        _requests.SignalReceived();
        _requests.FileChangedEvent();
        _time.Advance(ConfigurationReloader.Debounce); // both kinds now wait behind the running reload

        _requests.Stop();
        var idle = _requests.Idle;
        Assert.False(idle.IsCompleted, "Idle completed while a reload still runs");
        Finish();
        await AssertNothingMoreStartsAsync();
        await idle.WaitAsync(_hangGuard.Token);
    }

    [Fact]
    public async Task Dispose_without_stop_lets_the_running_reload_finish_and_starts_nothing_more()
    {
        // A host whose start fails after the reloader started disposes it without stopping it.
        _requests.Start();
        _requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        _requests.SignalReceived();

        _requests.Dispose();
        Finish();
        await AssertNothingMoreStartsAsync();
        _requests.SignalReceived();
        await AssertNothingMoreStartsAsync();
    }

    [Fact]
    public async Task A_request_waiting_behind_a_failure_whose_log_line_throws_still_runs()
    {
        using var requests = new ReloadRequests(_time, ConfigurationReloader.Debounce, ReloadAsync, new ThrowingLogger());
        requests.Start();
        requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        requests.SignalReceived(); // waits behind the reload that fails

        Assert.True(_finishers.TryDequeue(out var failing));
        Interlocked.Decrement(ref _running);
        failing.SetException(new InvalidOperationException("broken"));
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync(requests);

        requests.SignalReceived();
        Assert.Equal(ReloadRequests.Sighup, await NextStartedAsync());
        Finish();
        await AssertNothingMoreStartsAsync(requests);
    }

    public void Dispose()
    {
        _requests.Dispose();
        _hangGuard.Dispose();
    }

    private Task ReloadAsync(string trigger)
    {
        if (Interlocked.Increment(ref _running) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        var finisher = new TaskCompletionSource();
        _finishers.Enqueue(finisher);
        _started.Writer.TryWrite(trigger);
        return finisher.Task;
    }

    /// <summary>Ends the oldest running reload.</summary>
    private void Finish()
    {
        Interlocked.Decrement(ref _running);
        Assert.True(_finishers.TryDequeue(out var finisher));
        finisher.SetResult();
    }

    /// <summary>The trigger of the next reload that starts (the guard only ends a hang: a missing reload fails here).</summary>
    private async Task<string> NextStartedAsync() => await _started.Reader.ReadAsync(_hangGuard.Token);

    /// <summary>
    /// Asserts that no reload starts now. A reload let through wrongly starts on the thread pool, a moment after the
    /// request: so first wait until the loop is idle (it has looked at the queue and found nothing to run) or a reload
    /// has started, whichever comes first. Only call it while no reload is meant to run.
    /// </summary>
    private async Task AssertNothingMoreStartsAsync(ReloadRequests? requests = null)
    {
        await Task.WhenAny((requests ?? _requests).Idle, _started.Reader.WaitToReadAsync(_hangGuard.Token).AsTask());
        Assert.False(_started.Reader.TryRead(out var unexpected), $"unexpected reload: {unexpected}");
    }

    /// <summary>A logger that fails, like one being disposed while the host stops.</summary>
    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new ObjectDisposedException(nameof(ThrowingLogger));
    }
}
