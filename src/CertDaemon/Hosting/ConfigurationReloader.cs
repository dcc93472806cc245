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

    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private PosixSignalRegistration? _sighup;
    private FileSystemWatcher? _watcher;
    private ITimer? _debounce;
    private string _trigger = "file changed";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(runtime.Configuration.SourcePath);
        _debounce = time.CreateTimer(_ => _ = ReloadAsync(path), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload, never terminate
            Request("SIGHUP", TimeSpan.Zero);
        });

        if (Path.GetDirectoryName(path) is { } directory && Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Request("file changed", Debounce);
            _watcher.Created += (_, _) => Request("file changed", Debounce);
            _watcher.Renamed += (_, _) => Request("file changed", Debounce);
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
        _debounce?.Dispose();
        _stopping.Dispose();
        _reloading.Dispose();
    }

    private void Request(string trigger, TimeSpan delay)
    {
        _trigger = trigger;
        _debounce?.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private async Task ReloadAsync(string path)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _reloading.WaitAsync(CancellationToken.None);
        try
        {
            DaemonLog.ConfigurationReloadRequested(logger, _trigger, path);
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
        finally
        {
            _reloading.Release();
        }
    }
}
