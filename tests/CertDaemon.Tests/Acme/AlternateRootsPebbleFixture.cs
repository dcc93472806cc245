using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Acme;

/// <summary>A pebble offering two alternate chains besides its default one.</summary>
public sealed class AlternateRootsPebbleFixture : IAsyncLifetime
{
    public PebbleServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 20, AlternateRoots = 2 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
