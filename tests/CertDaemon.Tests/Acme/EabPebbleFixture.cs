using System.Buffers.Text;
using System.Security.Cryptography;
using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Tests.Acme;

/// <summary>A pebble that requires external account binding, with one known key id.</summary>
public sealed class EabPebbleFixture : IAsyncLifetime
{
    public const string KeyId = "kid-1";

    public static readonly string HmacKey = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public PebbleServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PebbleServer.StartAsync(new PebbleOptions
    {
        NonceRejectPercent = 20,
        ExternalAccountMacKeys = new Dictionary<string, string> { [KeyId] = HmacKey },
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
