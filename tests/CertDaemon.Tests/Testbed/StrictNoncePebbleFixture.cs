using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Testbed;

/// <summary>
/// One pebble + challtestsrv for a test class with nonce rejection off, for tests that assert which exact nonce a
/// server accepts (with rejection on, any valid nonce may be refused at random).
/// </summary>
public sealed class StrictNoncePebbleFixture : IAsyncLifetime
{
    public PebbleServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 0 });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
