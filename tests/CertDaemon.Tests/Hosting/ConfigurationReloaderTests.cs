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
        var path = Path.Combine(_root, "certdaemon.json");
        await File.WriteAllTextAsync(path, Configuration("12:00:00"));
        var loaded = ConfigurationLoader.Load(path);
        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Problems.Select(p => p.Message)));
        using var lifetime = new HostLifetime();
        var logger = new CapturingLogger<ConfigurationReloader>();
        await using var runtime = new DaemonRuntime(loaded.Configuration!, NullLoggerFactory.Instance, lifetime);
        var scheduler = new CertificateScheduler(new NoSchedulers(), runtime, TimeProvider.System, NullLogger<CertificateScheduler>.Instance);
        using var trimmer = new IdleMemoryTrimmer(TimeProvider.System, NullLogger<IdleMemoryTrimmer>.Instance);
        await using var metrics = new MetricsListener(runtime, trimmer, NullLogger<MetricsListener>.Instance);
        using (var reloader = new ConfigurationReloader(runtime, scheduler, metrics, TimeProvider.System, lifetime, logger))
        {
            await reloader.StartAsync(CancellationToken.None);

            // The watcher works: an edit is reloaded (its re-plan fails here, after the swap: no scheduler in this test).
            await File.WriteAllTextAsync(path, Configuration("06:00:00"));
            await WaitForAsync(() => logger.Count("ConfigurationReloaded") == 1, logger);

            // SIGTERM: the host signals ApplicationStopping long before it reaches this service's StopAsync.
            lifetime.StopApplication();
            await File.WriteAllTextAsync(path, Configuration("03:00:00"));
            await Task.Delay(ConfigurationReloader.Debounce * 4);

            Assert.Equal(1, logger.Count("ConfigurationReloadRequested"));
            Assert.Equal(TimeSpan.FromHours(6), runtime.Configuration.Options.Renewal.CheckInterval);
            await reloader.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_edit_saved_during_the_start_up_is_reloaded_once_the_file_is_watched()
    {
        var path = Path.Combine(_root, "certdaemon.json");
        await File.WriteAllTextAsync(path, Configuration("12:00:00"));
        var loaded = ConfigurationLoader.Load(path);
        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Problems.Select(p => p.Message)));
        using var lifetime = new HostLifetime();
        var logger = new CapturingLogger<ConfigurationReloader>();
        await using var runtime = new DaemonRuntime(loaded.Configuration!, NullLoggerFactory.Instance, lifetime);
        var scheduler = new CertificateScheduler(new NoSchedulers(), runtime, TimeProvider.System, NullLogger<CertificateScheduler>.Instance);
        using var trimmer = new IdleMemoryTrimmer(TimeProvider.System, NullLogger<IdleMemoryTrimmer>.Instance);
        await using var metrics = new MetricsListener(runtime, trimmer, NullLogger<MetricsListener>.Instance);

        // Saved after the daemon read the file and before the reloader watches it (start-up recovery runs between).
        await File.WriteAllTextAsync(path, Configuration("06:00:00"));
        using var reloader = new ConfigurationReloader(runtime, scheduler, metrics, TimeProvider.System, lifetime, logger);
        await reloader.StartAsync(CancellationToken.None);

        await WaitForAsync(() => logger.Count("ConfigurationReloaded") == 1, logger);
        Assert.Equal("file changed", logger.Named("ConfigurationReloadRequested").Single().Property("Trigger"));
        Assert.Equal(TimeSpan.FromHours(6), runtime.Configuration.Options.Renewal.CheckInterval);
        await reloader.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task An_unchanged_file_is_not_reloaded_at_the_start()
    {
        var path = Path.Combine(_root, "certdaemon.json");
        await File.WriteAllTextAsync(path, Configuration("12:00:00"));
        using var lifetime = new HostLifetime();
        var logger = new CapturingLogger<ConfigurationReloader>();
        await using var runtime = new DaemonRuntime(ConfigurationLoader.Load(path).Configuration!, NullLoggerFactory.Instance, lifetime);
        var scheduler = new CertificateScheduler(new NoSchedulers(), runtime, TimeProvider.System, NullLogger<CertificateScheduler>.Instance);
        using var trimmer = new IdleMemoryTrimmer(TimeProvider.System, NullLogger<IdleMemoryTrimmer>.Instance);
        await using var metrics = new MetricsListener(runtime, trimmer, NullLogger<MetricsListener>.Instance);
        using var reloader = new ConfigurationReloader(runtime, scheduler, metrics, TimeProvider.System, lifetime, logger);
        await reloader.StartAsync(CancellationToken.None);

        await Task.Delay(ConfigurationReloader.Debounce * 4);
        Assert.Equal(0, logger.Count("ConfigurationReloadRequested"));
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

    private static async Task WaitForAsync(Func<bool> condition, CapturingLogger<ConfigurationReloader> logger)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(20), "timed out; logged:\n" + logger);
            await Task.Delay(50);
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
