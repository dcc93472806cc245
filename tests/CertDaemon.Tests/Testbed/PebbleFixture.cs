using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Testbed;

/// <summary>One pebble + challtestsrv for a test class, with nonce rejection at 20% (robustness on).</summary>
public sealed class PebbleFixture : IAsyncLifetime
{
    public PebbleServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 20 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
