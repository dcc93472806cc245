using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace CertDaemon.Hosting;

/// <summary>
/// systemd's watchdog (<c>WatchdogSec=</c> in the unit): sends <c>WATCHDOG=1</c> at half the interval systemd gives in
/// <c>WATCHDOG_USEC</c>, from the host's own timer loop, so a wedged process gets restarted. Does nothing without it.
/// </summary>
internal sealed class SystemdWatchdog(IServiceProvider services, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService(typeof(ISystemdNotifier)) is not ISystemdNotifier { IsEnabled: true } notifier
            || !long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds)
            || microseconds <= 0
            || (Environment.GetEnvironmentVariable("WATCHDOG_PID") is { Length: > 0 } pid && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture)))
        {
            return;
        }

        var alive = new ServiceState("WATCHDOG=1");
        using var timer = new PeriodicTimer(TimeSpan.FromMicroseconds(microseconds / 2.0), time);
        notifier.Notify(alive);
        while (await TickAsync(timer, stoppingToken))
        {
            notifier.Notify(alive);
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
