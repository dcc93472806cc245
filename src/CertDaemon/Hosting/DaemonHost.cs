using CertDaemon.Configuration;
using CertDaemon.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CertDaemon.Hosting;

/// <summary>
/// <c>certdaemon run</c>: the Generic Host with systemd integration (Type=notify: READY=1 once started, STOPPING=1 on
/// SIGTERM, the watchdog), Serilog on stdout, and Quartz (in memory) running one check job per certificate.
/// </summary>
/// <remarks>
/// Shutdown (SIGTERM/SIGINT): ApplicationStopping cancels every running check; an issuance's own clean-up removes its
/// challenge records within <see cref="Issuance.IssuanceOptions.CleanupTimeout"/>; Quartz waits for the jobs to
/// finish; the process exits 0. A background failure never stops the host (BackgroundServiceExceptionBehavior.Ignore;
/// jobs never throw anyway).
/// </remarks>
internal static class DaemonHost
{
    /// <summary>Upper bound for a clean stop: longer than the challenge clean-up bound, shorter than systemd's 90 s.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(45);

    /// <param name="verbose"><c>--verbose</c>: Debug and above, with stack traces.</param>
    public static IHost Build(LoadedConfiguration configuration, LogFormat logFormat, bool verbose = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "certdaemon",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.UseCertDaemonSerilog(configuration.Configuration, logFormat, verbose);
        builder.Services.Configure<HostOptions>(options =>
        {
            options.ShutdownTimeout = ShutdownTimeout;
            options.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });

        // systemd: AddSystemd recognises a service started by systemd; with NOTIFY_SOCKET set by any other supervisor
        // (or a test), speak the same notify protocol.
        builder.Services.AddSystemd();
        if (!SystemdHelpers.IsSystemdService() && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")))
        {
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new DaemonRuntime(
            configuration, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IHostApplicationLifetime>()));
        builder.Services.AddSingleton<CertificateScheduler>();
        builder.Services.AddTransient<CertificateCheckJob>();
        builder.Services.AddSingleton<IdleMemoryTrimmer>();

        // Order matters: recovery and the first schedule (DaemonService) run before Quartz starts firing.
        builder.Services.AddHostedService<DaemonService>();
        builder.Services.AddHostedService<ConfigurationReloader>();
        builder.Services.AddHostedService<SystemdWatchdog>();
        builder.Services.AddSingleton<MetricsListener>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MetricsListener>());
        builder.Services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "certdaemon";
                scheduler.ShutdownJobInterruption = ShutdownJobInterruption.Always;
            });
            quartz.UseTimeProvider(TimeProvider.System);
            quartz.UseInMemoryStore();
            quartz.UseDefaultThreadPool(pool => pool.MaxConcurrency = 8);
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        return builder.Build();
    }
}
