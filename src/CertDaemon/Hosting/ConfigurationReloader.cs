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
/// </summary>
internal sealed class ConfigurationReloader(
    DaemonRuntime runtime, CertificateScheduler scheduler, MetricsListener metrics, TimeProvider time, ILogger<ConfigurationReloader> logger)
    : IHostedService, IDisposable
{
    /// <summary>Quiet time after the last file event before reloading.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stopping = new();
    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;
    private ReloadRequests? _requests;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(runtime.Configuration.SourcePath);
        var requests = _requests = new ReloadRequests(time, Debounce, trigger => ReloadAsync(trigger, path));
        requests.Start();
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload, never terminate
            requests.SignalReceived();
        });

        if (Path.GetDirectoryName(path) is { } directory && Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => requests.FileChangedEvent();
            _watcher.Created += (_, _) => requests.FileChangedEvent();
            _watcher.Renamed += (_, _) => requests.FileChangedEvent();
            _watcher.EnableRaisingEvents = true;
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        _sighup?.Dispose();
        await _stopping.CancelAsync();
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _sighup?.Dispose();
        _requests?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One reload; <see cref="ReloadRequests"/> runs them one at a time.</summary>
    private async Task ReloadAsync(string trigger, string path)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            DaemonLog.ConfigurationReloadRequested(logger, trigger, path);
            var result = await AcmKeyTypeGuard.ApplyAsync(ConfigurationLoader.Load(path), time, _stopping.Token);

            if (!result.Succeeded)
            {
                ConfigurationLog.ConfigurationInvalid(logger, result.Problems);
                return;
            }

            await runtime.SwapAsync(result.Configuration);
            ConfigurationLog.ConfigurationReloaded(logger, path, result.Configuration.Options.Certificates.Count);
            await metrics.ApplyAsync(result.Configuration.Options.Metrics.ListenAddress, _stopping.Token);
            await scheduler.SyncAsync(checkAll: true, _stopping.Token);
        }
        catch (Exception exception)
        {
            // While stopping, a cancelled re-plan is expected and not worth a line.
            if (!_stopping.IsCancellationRequested)
            {
                DaemonLog.ConfigurationReloadFailed(logger, exception, exception.Message);
            }
        }
    }
}
