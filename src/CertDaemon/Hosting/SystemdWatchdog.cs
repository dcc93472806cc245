using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace CertDaemon.Hosting;

/// <summary>
/// Pings systemd's watchdog (<c>WatchdogSec=</c> in the unit) at half the interval systemd asks for
/// (<c>WATCHDOG_USEC</c>), so a hung daemon is restarted. Does nothing when not run by systemd with a watchdog.
/// </summary>
internal sealed class SystemdWatchdog(IServiceProvider services, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // AddSystemd registers the notifier only when systemd started us.
        if (services.GetService(typeof(ISystemdNotifier)) is not ISystemdNotifier notifier
            || !notifier.IsEnabled
            || !long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds)
            || microseconds <= 0)
        {
            return;
        }

        var interval = TimeSpan.FromMicroseconds(microseconds / 2);
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            notifier.Notify(new ServiceState("WATCHDOG=1"));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
