using System.CommandLine;
using CertDaemon.Hosting;
using CertDaemon.Logging;
using CertDaemon.Renewal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace CertDaemon.Cli;

/// <summary>
/// <c>certdaemon run</c>: the daemon systemd starts (<c>Type=notify</c>). Never starts on an invalid configuration
/// (exit 78). Logs compact JSON to stdout under systemd, text on a terminal.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("run", "Run the daemon: schedule checks, renew, deploy, import (what systemd starts)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = CommandEnvironment.LoadConfiguration(parse.GetValue(CliRoot.ConfigOption), error);
            if (configuration is null)
            {
                return ExitCodes.Configuration;
            }

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = "/" });
            builder.UseCertDaemonSerilog(configuration.Configuration, CliRoot.ParseLogFormat(parse));
            builder.Services.AddSystemd();
            builder.Services.Configure<HostOptions>(o =>
            {
                // One bad certificate must never stop the daemon (its jobs catch and log); this is the last line.
                o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
                o.ShutdownTimeout = TimeSpan.FromSeconds(40);
            });
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(new DaemonStartup(configuration));
            builder.Services.AddSingleton<DaemonRuntime>();
            builder.Services.AddTransient<CertificateCheckJob>();
            builder.AddQuartz(_ => { });
            builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
            // Registered after Quartz so it starts once the scheduler runs and stops before it.
            builder.Services.AddHostedService<RenewalScheduler>();
            builder.Services.AddHostedService<SystemdWatchdog>();
            using var host = builder.Build();
            await host.RunAsync(cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }
}
