using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Acme;

/// <summary>A pebble rejecting half of all valid nonces with badNonce.</summary>
public sealed class BadNoncePebbleFixture : IAsyncLifetime
{
    public PebbleServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 50 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
