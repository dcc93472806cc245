using CertDaemon.Configuration;
using CertDaemon.Renewal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// The daemon's current service graph, built from the current configuration. A configuration reload builds a new
/// generation and swaps it in; a check that already started keeps the generation it leased until it finishes, and
/// a retired generation is disposed when its last lease ends.
/// </summary>
internal sealed class DaemonRuntime(ILoggerFactory loggerFactory) : IDisposable
{
    private readonly Lock _gate = new();
    private Generation? _current;

    public LoadedConfiguration Configuration => (_current ?? throw new InvalidOperationException("the daemon has no configuration yet")).Configuration;

    /// <summary>Builds the graph for <paramref name="configuration"/> and makes it current.</summary>
    public void Activate(LoadedConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddCertDaemon(configuration.Options);
        var next = new Generation(configuration, services.BuildServiceProvider());
        Generation? previous;
        lock (_gate)
        {
            previous = _current;
            _current = next;
        }

        previous?.Retire();
    }

    /// <summary>The current graph for one check; dispose the lease when the check is done.</summary>
    public Lease Acquire()
    {
        lock (_gate)
        {
            var generation = _current ?? throw new InvalidOperationException("the daemon has no configuration yet");
            generation.AddLease();
            return new Lease(generation);
        }
    }

    public void Dispose() => _current?.Retire();

    internal sealed class Generation(LoadedConfiguration configuration, ServiceProvider services)
    {
        private int _leases;
        private int _retired;

        public LoadedConfiguration Configuration { get; } = configuration;

        public ServiceProvider Services { get; } = services;

        public void AddLease() => Interlocked.Increment(ref _leases);

        public void Release()
        {
            if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1)
            {
                Services.Dispose();
            }
        }

        public void Retire()
        {
            Volatile.Write(ref _retired, 1);
            if (Volatile.Read(ref _leases) == 0)
            {
                Services.Dispose();
            }
        }
    }

    internal sealed class Lease(Generation generation) : IDisposable
    {
        private int _disposed;

        public CertDaemonOptions Options => generation.Configuration.Options;

        public T Get<T>() where T : notnull => generation.Services.GetRequiredService<T>();

        public ManagedCertificateCatalog Catalog => Get<ManagedCertificateCatalog>();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                generation.Release();
            }
        }
    }
}
