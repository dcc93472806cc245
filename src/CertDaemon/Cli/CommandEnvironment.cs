using System.CommandLine;
using CertDaemon.Configuration;
using CertDaemon.Hosting;
using CertDaemon.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Cli;

/// <summary>
/// What a one-shot command runs in: the validated configuration and the service graph, logging to stderr so that
/// stdout carries only the command's result. Invalid configuration never gets this far (exit 78).
/// </summary>
internal sealed class CommandEnvironment : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CommandEnvironment(LoadedConfiguration configuration, ServiceProvider services, TextWriter output, TextWriter error)
    {
        Configuration = configuration;
        _services = services;
        Output = output;
        Error = error;
    }

    public LoadedConfiguration Configuration { get; }

    public CertDaemonOptions Options => Configuration.Options;

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>The service graph of <paramref name="configuration"/>, logging to stderr in the <c>--log-format</c> of <paramref name="parse"/>.</summary>
    public static CommandEnvironment Create(LoadedConfiguration configuration, ParseResult parse, TextWriter output, TextWriter error)
    {
        var services = new ServiceCollection();
        var loggerFactory = LoggingSetup.CreateLoggerFactory(configuration.Configuration, CliRoot.ParseLogFormat(parse), LogDestination.StandardError, parse.GetValue(CliRoot.VerboseOption));
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddCertDaemon(configuration.Options);
        return new CommandEnvironment(configuration, services.BuildServiceProvider(), output, error);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
