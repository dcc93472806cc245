using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Acme;

/// <summary>An <see cref="AcmeClient"/> wired to a pebble (trusting only its test TLS root), with its requests and logs recorded.</summary>
public sealed class AcmeTestClient : IDisposable
{
    private readonly HttpClient _http;
    private AccountKey? _ownedKey;

    private AcmeTestClient(HttpClient http, RequestRecorder recorder, AcmeClient client, CapturingLogger<AcmeClient> logger)
    {
        _http = http;
        Recorder = recorder;
        Client = client;
        Logger = logger;
    }

    internal AcmeClient Client { get; }

    public RequestRecorder Recorder { get; }

    internal CapturingLogger<AcmeClient> Logger { get; }

    /// <summary>A client with a fresh account key (owned and disposed by it) whose account is already registered.</summary>
    internal static Task<AcmeTestClient> CreateRegisteredAsync(PebbleServer server, AcmeClientOptions? options = null) =>
        CreateRegisteredAsync(server.DirectoryUrl, server, options);

    internal static async Task<AcmeTestClient> CreateRegisteredAsync(Uri directoryUrl, PebbleServer server, AcmeClientOptions? options = null)
    {
        var key = AccountKey.Generate();
        var client = Create(directoryUrl, CertDaemon.Acme.AcmeHttpHandlerFactory.Create([server.TlsRoot]), key, options);
        client._ownedKey = key;
        try
        {
            await TestIssuance.RegisterAsync(client.Client);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    internal static AcmeTestClient Create(PebbleServer server, AccountKey key, AcmeClientOptions? options = null, TimeProvider? time = null) =>
        Create(server.DirectoryUrl, CertDaemon.Acme.AcmeHttpHandlerFactory.Create([server.TlsRoot]), key, options, time);

    internal static AcmeTestClient Create(Uri directoryUrl, HttpMessageHandler handler, AccountKey key, AcmeClientOptions? options = null, TimeProvider? time = null)
    {
        var recorder = new RequestRecorder(handler);
        var http = new HttpClient(recorder) { Timeout = TimeSpan.FromSeconds(30) };
        var logger = new CapturingLogger<AcmeClient>();
        var client = new AcmeClient(http, directoryUrl, key, time ?? TimeProvider.System, logger, options);
        return new AcmeTestClient(http, recorder, client, logger);
    }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
        _ownedKey?.Dispose();
    }
}
