using System.Text.Json;
using CertDaemon.Configuration;
using CertDaemon.Hosting;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;

namespace CertDaemon.Tests.Hosting;

/// <summary>
/// The reloader with the daemon's real runtime and metrics listener around it. An edit saved while the daemon started
/// (after the file was read, before it was watched) is reloaded, not left unnoticed until the next edit. Once the host
/// has begun to stop (<c>ApplicationStopping</c>, at SIGTERM), no reload starts, although the reloader is among the
/// last services the host stops (Quartz first waits for the running checks): a reload then would swap the service
/// graph, rebind the metrics port of a stopped listener and re-plan on a stopping scheduler.
/// </summary>
/// <remarks>The reloader registers its SIGHUP handler in this test process; nothing here sends SIGHUP.</remarks>
public sealed class ConfigurationReloaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-reloader-").FullName;

    [Fact]
    public async Task A_file_change_after_the_host_began_stopping_reloads_nothing()
    {
        await using var daemon = await LoadedDaemon.StartAsync(Path.Combine(_root, "certdaemon.json"), Configuration("12:00:00"));
        using (var reloader = daemon.CreateReloader())
        {
            await reloader.StartAsync(CancellationToken.None);

            // The watcher works: an edit is reloaded (its re-plan fails here, after the swap: no scheduler in this test).
            await File.WriteAllTextAsync(daemon.Path, Configuration("06:00:00"));
            await daemon.WaitForAsync(() => daemon.Logger.Count("ConfigurationReloaded") == 1);

            // SIGTERM: the host signals ApplicationStopping long before it reaches this service's StopAsync.
            daemon.Lifetime.StopApplication();
            await File.WriteAllTextAsync(daemon.Path, Configuration("03:00:00"));
            await Task.Delay(ConfigurationReloader.Debounce * 4);

            Assert.Equal(1, daemon.Logger.Count("ConfigurationReloadRequested"));
            Assert.Equal(TimeSpan.FromHours(6), daemon.Runtime.Configuration.Options.Renewal.CheckInterval);
            await reloader.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_edit_saved_during_the_start_up_is_reloaded_once_the_file_is_watched()
    {
        await using var daemon = await LoadedDaemon.StartAsync(Path.Combine(_root, "certdaemon.json"), Configuration("12:00:00"));

        // Saved after the daemon read the file and before the reloader watches it (start-up recovery runs between).
        await File.WriteAllTextAsync(daemon.Path, Configuration("06:00:00"));
        using var reloader = daemon.CreateReloader();
        await reloader.StartAsync(CancellationToken.None);

        await daemon.WaitForAsync(() => daemon.Logger.Count("ConfigurationReloaded") == 1);
        Assert.Equal("file changed", daemon.Logger.Named("ConfigurationReloadRequested").Single().Property("Trigger"));
        Assert.Equal(TimeSpan.FromHours(6), daemon.Runtime.Configuration.Options.Renewal.CheckInterval);
        await reloader.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_unchanged_file_is_not_reloaded_at_the_start()
    {
        await using var daemon = await LoadedDaemon.StartAsync(Path.Combine(_root, "certdaemon.json"), Configuration("12:00:00"));
        using var reloader = daemon.CreateReloader();
        await reloader.StartAsync(CancellationToken.None);

        await Task.Delay(ConfigurationReloader.Debounce * 4);
        Assert.Equal(0, daemon.Logger.Count("ConfigurationReloadRequested"));
        await reloader.StopAsync(CancellationToken.None);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Configuration(string checkInterval) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["Acme"] = new Dictionary<string, object?> { ["Email"] = "ops@example.test", ["AcceptTermsOfService"] = true },
        ["StateDirectory"] = Path.Combine(_root, "state"),
        ["CertificateDirectory"] = Path.Combine(_root, "letsencrypt"),
        ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
        ["Renewal"] = new Dictionary<string, object?> { ["CheckInterval"] = checkInterval },
        ["Certificates"] = Array.Empty<object>(),
    });

    /// <summary>What the daemon has built when the reloader is created: the configuration read once, the runtime and the metrics listener.</summary>
    private sealed class LoadedDaemon : IAsyncDisposable
    {
        private readonly CertificateScheduler _scheduler;
        private readonly IdleMemoryTrimmer _trimmer;
        private readonly MetricsListener _metrics;

        private LoadedDaemon(string path, LoadedConfiguration configuration)
        {
            Path = path;
            Runtime = new DaemonRuntime(configuration, NullLoggerFactory.Instance, Lifetime);
            _scheduler = new CertificateScheduler(new NoSchedulers(), Runtime, TimeProvider.System, NullLogger<CertificateScheduler>.Instance);
            _trimmer = new IdleMemoryTrimmer(TimeProvider.System, NullLogger<IdleMemoryTrimmer>.Instance);
            _metrics = new MetricsListener(Runtime, _trimmer, NullLogger<MetricsListener>.Instance);
        }

        public string Path { get; }

        public HostLifetime Lifetime { get; } = new();

        public CapturingLogger<ConfigurationReloader> Logger { get; } = new();

        public DaemonRuntime Runtime { get; }

        /// <summary>Writes <paramref name="json"/> to <paramref name="path"/> and loads it, as the daemon does at start.</summary>
        public static async Task<LoadedDaemon> StartAsync(string path, string json)
        {
            await File.WriteAllTextAsync(path, json);
            var loaded = ConfigurationLoader.Load(path);
            Assert.True(loaded.Succeeded, string.Join("; ", loaded.Problems.Select(p => p.Message)));
            return new LoadedDaemon(path, loaded.Configuration!);
        }

        public ConfigurationReloader CreateReloader() => new(Runtime, _scheduler, _metrics, TimeProvider.System, Lifetime, Logger);

        public async Task WaitForAsync(Func<bool> condition)
        {
            var started = TimeProvider.System.GetTimestamp();
            while (!condition())
            {
                Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(20), "timed out; logged:\n" + Logger);
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _metrics.DisposeAsync();
            _trimmer.Dispose();
            await Runtime.DisposeAsync();
            Lifetime.Dispose();
        }
    }

    /// <summary>The re-plan after a reload asks for the scheduler; this test has none (it checks what happens before).</summary>
    private sealed class NoSchedulers : ISchedulerFactory
    {
        public ValueTask<List<IScheduler>> GetAllSchedulers(CancellationToken cancellationToken = default) => ValueTask.FromResult(new List<IScheduler>());

        public ValueTask<IScheduler> GetScheduler(CancellationToken cancellationToken = default) => throw new InvalidOperationException("no scheduler in this test");

        public ValueTask<IScheduler?> LookupScheduler(string name, CancellationToken cancellationToken = default) => ValueTask.FromResult<IScheduler?>(null);
    }

    private sealed class HostLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();
        private readonly CancellationTokenSource _stopping = new();
        private readonly CancellationTokenSource _stopped = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => _stopped.Token;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose()
        {
            _started.Dispose();
            _stopping.Dispose();
            _stopped.Dispose();
        }
    }
}
