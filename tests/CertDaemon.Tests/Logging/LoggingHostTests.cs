using CertDaemon.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace CertDaemon.Tests.Logging;

public sealed class LoggingHostTests
{
    [Fact]
    public void Host_application_builder_logs_through_serilog()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseCertDaemonSerilog(null, LogFormat.Json);
        using var host = builder.Build();

        Assert.IsType<SerilogLoggerFactory>(host.Services.GetRequiredService<ILoggerFactory>());
    }

    [Fact]
    public void Host_builder_logs_through_serilog()
    {
        using var host = new HostBuilder().UseCertDaemonSerilog(null, LogFormat.Text).Build();

        Assert.IsType<SerilogLoggerFactory>(host.Services.GetRequiredService<ILoggerFactory>());
    }

    [Theory]
    [InlineData(LogFormat.Json, LogDestination.StandardError)]
    [InlineData(LogFormat.Text, LogDestination.StandardError)]
    [InlineData(LogFormat.Json, LogDestination.StandardOutput)]
    public void Console_logger_factories_build_in_every_format(LogFormat format, LogDestination destination)
    {
        using var factory = LoggingSetup.CreateLoggerFactory(null, format, destination);
        var logger = factory.CreateLogger("CertDaemon.Tests");

        Assert.True(logger.IsEnabled(LogLevel.Information));
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.False(factory.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
    }
}
