using CertDaemon.Configuration;
using CertDaemon.Dns.Route53;
using CertDaemon.Hosting;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.CrashHarness;

/// <summary>
/// <c>renew-until CONFIG NAME STEP</c>: what <c>certdaemon renew NAME --force</c> does (the product's service graph,
/// its <see cref="RenewalCoordinator"/>), stopped at <see cref="CrashStep"/> STEP (<c>none</c>: run to the end).
/// Prints <c>at STEP</c> there and blocks until killed; prints <c>finished OUTCOME</c> (and the steps it passed) when
/// the run ended without reaching STEP. AWS settings come from the environment, as for the CLI.
/// </summary>
internal static class RenewUntil
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 3)
        {
            await Console.Error.WriteLineAsync("usage: CertDaemon.CrashHarness renew-until CONFIG NAME STEP|none");
            return 2;
        }

        var (configPath, name, stopAt) = (args[0], args[1], args[2] == "none" ? null : CrashStep.Named(args[2]).Name);
        var loaded = ConfigurationLoader.Load(configPath);
        if (loaded.Configuration is not { } configuration)
        {
            await Console.Error.WriteLineAsync(string.Join("\n", loaded.Problems.Select(p => p.ToString())));
            return 78;
        }

        var options = configuration.Options;
        var point = new CrashPoint(name, stopAt);
        var services = new ServiceCollection();
        services.AddSingleton(LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new CrashPointLoggerProvider(point))));
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddCertDaemon(options);
        // Registered after the composition root's, so these win: the same stores on a file system that reports its renames.
        var fileSystem = new CrashPointFileSystem(point);
        services.AddSingleton(sp => new CertificateStore(
            options.CertificateDirectory, new CertificateStoreOptions { KeepVersions = options.Store.KeepVersions },
            TimeProvider.System, sp.GetRequiredService<ILogger<CertificateStore>>(), fileSystem));
        services.AddSingleton(sp => new CertificateStateStore(options.StateDirectory, TimeProvider.System, sp.GetRequiredService<ILogger<CertificateStateStore>>(), fileSystem)
        {
            RebuildFromLiveFiles = sp.GetRequiredService<LiveStateRebuilder>().Rebuild,
        });
        // Poll the test DNS server quickly: the propagation wait is not what is measured here.
        services.AddSingleton(new Route53SolverOptions
        {
            PropagationTimeout = options.Route53.PropagationTimeout,
            Nameservers = options.Dns.Nameservers,
            InitialPollInterval = TimeSpan.FromMilliseconds(50),
            MaxPollInterval = TimeSpan.FromMilliseconds(250),
        });

        await using var provider = services.BuildServiceProvider();
        var certificate = ManagedCertificate.FromOptions(options, options.Certificates.Single(c => c.Name == name));
        var result = await provider.GetRequiredService<RenewalCoordinator>().CheckAsync(certificate, force: true, CancellationToken.None);
        await Console.Out.WriteLineAsync($"finished {result.Outcome} after {string.Join(",", point.Passed)}");
        if (result.Error is { } error)
        {
            await Console.Error.WriteLineAsync(error.ToString());
            return 1;
        }

        return 0;
    }
}
