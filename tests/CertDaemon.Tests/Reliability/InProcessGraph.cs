using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using CertDaemon.Configuration;
using CertDaemon.Hosting;
using CertDaemon.Renewal;
using CertDaemon.Testbed.Route53;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// The product's own service graph (<see cref="CertDaemonServices"/>) built in the test process: one graph is one
/// CertDaemon process (a daemon or a CLI command). Two graphs on the same state directory behave like two processes:
/// nothing is shared between them but the files (locks are <c>flock</c>s on separate descriptors, which conflict
/// within one process exactly as between processes).
/// </summary>
internal sealed class InProcessGraph : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private InProcessGraph(ServiceProvider services, CertDaemonOptions options)
    {
        _services = services;
        Options = options;
    }

    public CertDaemonOptions Options { get; }

    public CertificateLifecycle Lifecycle => _services.GetRequiredService<CertificateLifecycle>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ManagedCertificate Certificate(string name) =>
        ManagedCertificate.FromOptions(Options, Options.Certificates.Single(c => c.Name == name));

    /// <summary>A graph talking to <paramref name="route53"/> with its static test credentials.</summary>
    public static InProcessGraph Create(
        CertDaemonOptions options, Route53Emulator route53, ILoggerProvider? logs = null, Action<IServiceCollection>? overrides = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(LogLevel.Debug);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddSingleton<IRoute53ClientFactory>(sp => new Route53ClientFactory(
            new Route53ClientFactoryOptions
            {
                Endpoint = route53.Endpoint,
                Retry = AwsRetryOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) },
            },
            new AwsRequestRateLimiter(100, 100),
            TimeProvider.System,
            sp.GetRequiredService<ILogger<Route53ClientFactory>>(),
            new BasicAWSCredentials(Route53EmulatorOptions.DefaultCredential.AccessKeyId, Route53EmulatorOptions.DefaultCredential.SecretAccessKey)));
        services.AddCertDaemon(options);
        // Registered last, so these win over the composition root's own.
        overrides?.Invoke(services);
        return new InProcessGraph(services.BuildServiceProvider(), options);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
