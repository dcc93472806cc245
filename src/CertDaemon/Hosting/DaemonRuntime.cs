using CertDaemon.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Hosting;

/// <summary>
/// The daemon's swappable part: the service graph (<see cref="CertDaemonServices.AddCertDaemon"/>) built from the
/// current configuration. A reload builds a new graph and swaps it in; the old one is disposed once the last check
/// still using it (its <see cref="Lease"/>) has finished, so a running issuance is never pulled out from under.
/// </summary>
internal sealed class DaemonRuntime : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime _lifetime;
    private Generation _current;

    public DaemonRuntime(LoadedConfiguration configuration, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime)
    {
        _loggerFactory = loggerFactory;
        _lifetime = lifetime;
        _current = Build(configuration, 1);
    }

    /// <summary>The configuration in force.</summary>
    public LoadedConfiguration Configuration => Volatile.Read(ref _current).Configuration;

    /// <summary>The configuration's generation number (1 at start, +1 per successful reload).</summary>
    public int GenerationNumber => Volatile.Read(ref _current).Number;

    /// <summary>Cancelled when the host begins to stop (SIGTERM): every check ends promptly.</summary>
    public CancellationToken Stopping => _lifetime.ApplicationStopping;

    /// <summary>The current graph, kept alive until the lease is disposed.</summary>
    public Lease Acquire()
    {
        lock (_gate)
        {
            _current.Leases++;
            return new Lease(this, _current);
        }
    }

    /// <summary>Makes <paramref name="configuration"/> current; the previous graph is disposed when no longer in use.</summary>
    public async ValueTask SwapAsync(LoadedConfiguration configuration)
    {
        Generation old;
        lock (_gate)
        {
            old = _current;
            _current = Build(configuration, old.Number + 1);
            old.Retired = true;
            if (old.Leases > 0)
            {
                return;
            }
        }

        await old.Services.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Generation current;
        lock (_gate)
        {
            current = _current;
            current.Retired = true;
            if (current.Leases > 0)
            {
                return;
            }
        }

        await current.Services.DisposeAsync();
    }

    private Generation Build(LoadedConfiguration configuration, int number)
    {
        var services = new ServiceCollection();
        services.AddSingleton(_loggerFactory); // the host's: not disposed with a generation
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddCertDaemon(configuration.Options);
        return new Generation(configuration, services.BuildServiceProvider(), number);
    }

    private async ValueTask ReleaseAsync(Generation generation)
    {
        lock (_gate)
        {
            generation.Leases--;
            if (!generation.Retired || generation.Leases > 0)
            {
                return;
            }
        }

        await generation.Services.DisposeAsync();
    }

    internal sealed class Generation(LoadedConfiguration configuration, ServiceProvider services, int number)
    {
        public LoadedConfiguration Configuration { get; } = configuration;

        public ServiceProvider Services { get; } = services;

        public int Number { get; } = number;

        public int Leases { get; set; }

        public bool Retired { get; set; }
    }

    /// <summary>One user of a graph; dispose it when done.</summary>
    internal sealed class Lease : IAsyncDisposable
    {
        private readonly DaemonRuntime _runtime;
        private readonly Generation _generation;
        private int _released;

        internal Lease(DaemonRuntime runtime, Generation generation)
        {
            _runtime = runtime;
            _generation = generation;
        }

        public CertDaemonOptions Options => _generation.Configuration.Options;

        public int GenerationNumber => _generation.Number;

        public T Get<T>() where T : notnull => _generation.Services.GetRequiredService<T>();

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                await _runtime.ReleaseAsync(_generation);
            }
        }
    }
}
