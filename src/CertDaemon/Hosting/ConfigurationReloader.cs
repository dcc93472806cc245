using System.Runtime.InteropServices;
using CertDaemon.Configuration;
using CertDaemon.Renewal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// Reloads the configuration without a restart on SIGHUP (<c>systemctl reload certdaemon</c>) or when the file
/// changes (debounced: editors write in several steps). A valid configuration replaces the service graph and every
/// certificate is re-planned (new ones added, removed ones dropped), and the metrics listener moves to the new
/// <c>Metrics.ListenAddress</c>; an invalid one is logged as
/// <c>ConfigurationInvalid</c> and the daemon keeps running on the previous one. Logging settings are read at start only.
/// Every SIGHUP and every settled file change is followed by a reload that starts after it, logged with its trigger
/// (<c>ConfigurationReloadRequested {Trigger}</c>; requests of one kind waiting together share one, see
/// <see cref="ReloadRequests"/>).
/// </summary>
/// <remarks>
/// SIGHUP is handled from the moment the host creates its services, before any of them starts (<c>DaemonStarted</c> is
/// logged by the first): a SIGHUP during the start-up is a reload that runs once the daemon has started, never the
/// default action (terminate). It stays handled until the host is disposed, so a SIGHUP while stopping is ignored
/// instead of killing the daemon in the middle of its clean-up. Stopping starts at <c>ApplicationStopping</c>, which
/// the host signals before it stops any service (this one stops late, after Quartz has waited for the running jobs):
/// from then on no reload starts, the running one is cancelled and does not swap the configuration, move the metrics
/// listener or re-plan, and <see cref="StopAsync"/> waits for it (bounded by the host's shutdown timeout). A SIGHUP left ignored by whoever started the daemon
/// (<c>nohup</c>) is taken back first (<see cref="SighupDisposition"/>): otherwise every reload would be dropped silently.
/// </remarks>
internal sealed class ConfigurationReloader : IHostedService, IDisposable
{
    /// <summary>Quiet time after the last file event before reloading.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);

    private readonly DaemonRuntime _runtime;
    private readonly CertificateScheduler _scheduler;
    private readonly MetricsListener _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigurationReloader> _logger;
    private readonly string _path;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ReloadRequests _requests;
    private readonly CancellationTokenRegistration _onStopping;
    private readonly PosixSignalRegistration _sighup;
    private FileSystemWatcher? _watcher;

    public ConfigurationReloader(
        DaemonRuntime runtime,
        CertificateScheduler scheduler,
        MetricsListener metrics,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<ConfigurationReloader> logger)
    {
        _runtime = runtime;
        _scheduler = scheduler;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _path = Path.GetFullPath(runtime.Configuration.SourcePath);
        _requests = new ReloadRequests(time, Debounce, ReloadAsync, logger);
        _onStopping = lifetime.ApplicationStopping.Register(StopReloading);
        SighupDisposition.RestoreDefaultIfIgnored();
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload, never terminate
            _requests.SignalReceived();
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(_path) is { } directory && Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => _requests.FileChangedEvent();
            _watcher.Created += (_, _) => _requests.FileChangedEvent();
            _watcher.Renamed += (_, _) => _requests.FileChangedEvent();
            _watcher.EnableRaisingEvents = true;
        }

        // An edit saved while the daemon started (after the file was read, before the watcher watched it) raised no
        // event: without this, the daemon would run on the old configuration until the next edit or SIGHUP.
        if (ChangedSinceLoaded())
        {
            _requests.FileChangedEvent();
        }

        _requests.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        StopReloading();

        // The running reload is cancelled; let it end before the host disposes the runtime it may still use. Past the
        // host's shutdown timeout stop anyway (SwapAsync takes no token).
        await _requests.Idle.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <remarks>Also stops: a host whose start fails after this service started disposes it without stopping it.</remarks>
    public void Dispose()
    {
        _onStopping.Dispose();
        StopReloading();
        _watcher?.Dispose();
        _sighup.Dispose();
        _requests.Dispose();
        _stopping.Dispose();
    }

    private bool ChangedSinceLoaded()
    {
        if (_runtime.Configuration.SourceBytes is not { } loaded)
        {
            return false;
        }

        try
        {
            return !File.ReadAllBytes(_path).AsSpan().SequenceEqual(loaded.Span);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true; // gone or unreadable now: the reload says so (ConfigurationInvalid) and keeps the loaded one
        }
    }

    /// <summary>No reload starts from now on; the running one is cancelled.</summary>
    private void StopReloading()
    {
        _requests.Stop();
        _stopping.Cancel();
    }

    /// <summary>One reload; <see cref="ReloadRequests"/> runs them one at a time.</summary>
    private async Task ReloadAsync(string trigger)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            DaemonLog.ConfigurationReloadRequested(_logger, trigger, _path);
            var result = await AcmKeyTypeGuard.ApplyAsync(ConfigurationLoader.Load(_path), _time, _stopping.Token);

            if (!result.Succeeded)
            {
                ConfigurationLog.ConfigurationInvalid(_logger, result.Problems);
                return;
            }

            // The host may have begun to stop while the file was read: never swap, rebind the metrics port of a
            // stopped listener or re-plan on a scheduler that is shutting down.
            _stopping.Token.ThrowIfCancellationRequested();
            await _runtime.SwapAsync(result.Configuration);
            ConfigurationLog.ConfigurationReloaded(_logger, _path, result.Configuration.Options.Certificates.Count);
            _stopping.Token.ThrowIfCancellationRequested();
            await _metrics.ApplyAsync(result.Configuration.Options.Metrics.ListenAddress, _stopping.Token);
            _stopping.Token.ThrowIfCancellationRequested();
            await _scheduler.SyncAsync(checkAll: true, _stopping.Token);
        }
        catch (Exception exception)
        {
            // While stopping, a cancelled re-plan is expected and not worth a line.
            if (!_stopping.IsCancellationRequested)
            {
                DaemonLog.ConfigurationReloadFailed(_logger, exception, exception.Message);
            }
        }
    }
}
