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

    /// <summary>Loads and validates the configuration; on problems prints them (one per line, with path) and returns null.</summary>
    /// <param name="readOnly">The command only reads (no write access to the directories needed).</param>
    public static LoadedConfiguration? LoadConfiguration(string? configPath, TextWriter error, bool readOnly = false)
    {
        var result = readOnly ? ConfigurationLoader.LoadForReading(configPath) : ConfigurationLoader.Load(configPath);
        if (result.Succeeded && Renewal.AcmKeyTypeGuard.Check(result.Configuration!.Options) is { Count: > 0 } stateProblems)
        {
            result = ConfigurationLoadResult.Failure(result.SourcePath, stateProblems);
        }

        if (result.Succeeded)
        {
            return result.Configuration;
        }

        error.WriteLine($"{result.SourcePath}: the configuration is invalid ({result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}):");
        foreach (var problem in result.Problems)
        {
            error.WriteLine(problem.ToString());
        }

        return null;
    }

    public static CommandEnvironment Create(LoadedConfiguration configuration, LogFormat logFormat, TextWriter output, TextWriter error)
    {
        var services = new ServiceCollection();
        var loggerFactory = LoggingSetup.CreateLoggerFactory(configuration.Configuration, logFormat, LogDestination.StandardError);
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddCertDaemon(configuration.Options);
        return new CommandEnvironment(configuration, services.BuildServiceProvider(), output, error);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
