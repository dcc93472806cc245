using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertDaemon.Acme;

namespace CertDaemon.Testbed.Pebble;

/// <summary>
/// A real ACME CA for tests: pebble plus pebble-challtestsrv (the DNS server pebble validates against), on free
/// 127.0.0.1 ports, with TLS material generated at start and trusted only by <see cref="CreateHttpClient"/>.
/// Dispose stops both processes.
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    private readonly ManagedProcess _pebble;
    private readonly ManagedProcess _challTestSrv;
    private readonly TestCertificateAuthority _tlsAuthority;
    private bool _caStopped;

    private PebbleServer(
        PebbleOptions options, string runDirectory, TestCertificateAuthority tlsAuthority, ManagedProcess challTestSrv, ManagedProcess pebble,
        Uri directoryUrl, Uri managementUrl, Uri challTestSrvUrl, int dnsPort, string tlsRootPemPath)
    {
        Options = options;
        RunDirectory = runDirectory;
        _tlsAuthority = tlsAuthority;
        _challTestSrv = challTestSrv;
        _pebble = pebble;
        DirectoryUrl = directoryUrl;
        ManagementUrl = managementUrl;
        ChallTestSrvUrl = challTestSrvUrl;
        DnsPort = dnsPort;
        TlsRootPemPath = tlsRootPemPath;
        ChallTestSrv = new ChallTestSrvClient(new HttpClient(), challTestSrvUrl);
    }

    public PebbleOptions Options { get; }

    public string RunDirectory { get; }

    /// <summary>The ACME directory, <c>https://127.0.0.1:P/dir</c>.</summary>
    public Uri DirectoryUrl { get; }

    /// <summary>pebble's management interface (roots, intermediates, cert-status-by-serial).</summary>
    public Uri ManagementUrl { get; }

    public Uri ChallTestSrvUrl { get; }

    /// <summary>The UDP/TCP port of challtestsrv's DNS server on 127.0.0.1.</summary>
    public int DnsPort { get; }

    /// <summary>PEM file of the throwaway root that signed pebble's TLS certificate (for <c>Acme.TrustedCaFile</c>).</summary>
    public string TlsRootPemPath { get; }

    public X509Certificate2 TlsRoot => _tlsAuthority.Root;

    /// <summary>
    /// The throwaway CA behind pebble's TLS. Its localhost leaf (with key) lets other test servers in front of pebble
    /// (the ARI/profiles proxy) be trusted by the same <see cref="CreateHttpClient"/> clients.
    /// </summary>
    public TestCertificateAuthority TlsAuthority => _tlsAuthority;

    public ChallTestSrvClient ChallTestSrv { get; }

    /// <summary>Both processes' output, for a failing test's report.</summary>
    public string Logs => _challTestSrv.Output + _pebble.Output;

    public static async Task<PebbleServer> StartAsync(PebbleOptions? options = null, CancellationToken cancellationToken = default)
    {
        // A port picked as free can be taken by another process before pebble binds it (parallel test runs):
        // a start that dies that way is retried on fresh ports.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options ?? new PebbleOptions(), cancellationToken);
            }
            catch (InvalidOperationException exception) when (attempt < 3 && exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await Task.Delay(100 * attempt, cancellationToken);
            }
        }
    }

    private static async Task<PebbleServer> StartOnceAsync(PebbleOptions options, CancellationToken cancellationToken)
    {
        var runDirectory = TestbedPaths.NewRunDirectory("pebble");
        var authority = TestCertificateAuthority.Create();
        var (rootPem, leafPem, keyPem) = authority.WriteFiles(runDirectory);

        var dnsPort = FreePort.NextTcpAndUdp();
        var challManagementPort = FreePort.Next();
        var acmePort = FreePort.Next();
        var managementPort = FreePort.Next();

        var challTestSrv = ManagedProcess.Start(
            "challtestsrv",
            "pebble-challtestsrv",
            ["-management", $"127.0.0.1:{challManagementPort}", "-dns01", $"127.0.0.1:{dnsPort}", "-http01", "", "-https01", "", "-tlsalpn01", ""]);

        var config = new Dictionary<string, object?>
        {
            ["listenAddress"] = $"127.0.0.1:{acmePort}",
            ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
            ["certificate"] = leafPem,
            ["privateKey"] = keyPem,
            ["httpPort"] = FreePort.Next(),
            ["tlsPort"] = FreePort.Next(),
            ["ocspResponderURL"] = "",
            ["externalAccountBindingRequired"] = options.ExternalAccountMacKeys.Count > 0,
        };
        if (options.ExternalAccountMacKeys.Count > 0)
        {
            config["externalAccountMACKeys"] = options.ExternalAccountMacKeys;
        }

        if (options.ValidityPeriodSeconds is { } validity)
        {
            config["certificateValidityPeriod"] = validity;
        }

        var configPath = Path.Combine(runDirectory, "pebble-config.json");
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new { pebble = config }), cancellationToken);

        var environment = new Dictionary<string, string?>
        {
            ["PEBBLE_VA_NOSLEEP"] = options.NoValidationSleep ? "1" : "0",
            ["PEBBLE_WFE_NONCEREJECT"] = options.NonceRejectPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PEBBLE_AUTHZREUSE"] = options.AuthorizationReusePercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PEBBLE_CHAIN_LENGTH"] = options.ChainLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PEBBLE_ALTERNATE_ROOTS"] = options.AlternateRoots.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var pebble = ManagedProcess.Start(
            "pebble", "pebble", ["-config", configPath, "-dnsserver", $"127.0.0.1:{options.DnsServerPort ?? dnsPort}"], environment, runDirectory);

        var server = new PebbleServer(
            options, runDirectory, authority, challTestSrv, pebble,
            new Uri($"https://127.0.0.1:{acmePort}/dir"),
            new Uri($"https://127.0.0.1:{managementPort}/"),
            new Uri($"http://127.0.0.1:{challManagementPort}/"),
            dnsPort, rootPem);
        try
        {
            await server.WaitUntilReadyAsync(challManagementPort, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An HttpClient that trusts the throwaway TLS root (and only adds it for this client), through the product's own handler.</summary>
    public HttpClient CreateHttpClient() =>
        new(AcmeHttpHandlerFactory.Create([_tlsAuthority.Root])) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Issuer roots of the certificates pebble signs: index 0 is the default chain, 1.. the alternates.</summary>
    public async Task<X509Certificate2> GetRootAsync(int index, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        var pem = await http.GetStringAsync(new Uri(ManagementUrl, $"roots/{index}"), cancellationToken);
        return X509Certificate2.CreateFromPem(pem);
    }

    public async Task<X509Certificate2> GetIntermediateAsync(int index, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        var pem = await http.GetStringAsync(new Uri(ManagementUrl, $"intermediates/{index}"), cancellationToken);
        return X509Certificate2.CreateFromPem(pem);
    }

    /// <summary>pebble's view of a certificate: <c>Valid</c> or <c>Revoked</c> (with the reason code).</summary>
    public async Task<(string Status, int? Reason)> GetCertificateStatusAsync(string serialHex, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        var json = await http.GetStringAsync(new Uri(ManagementUrl, $"cert-status-by-serial/{serialHex.ToLowerInvariant()}"), cancellationToken);
        using var doc = JsonDocument.Parse(json);
        var status = doc.RootElement.GetProperty("Status").GetString() ?? "";
        int? reason = doc.RootElement.TryGetProperty("Reason", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : null;
        return (status, reason);
    }

    private async Task WaitUntilReadyAsync(int challManagementPort, CancellationToken cancellationToken)
    {
        using var http = CreateHttpClient();
        http.Timeout = TimeSpan.FromSeconds(2);
        // Generous: pebble starts in about a second, but a loaded CI machine (two cores, parallel tests) has taken over 20 s.
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        var challReady = false;
        while (true)
        {
            _challTestSrv.ThrowIfExited();
            _pebble.ThrowIfExited();
            if (!challReady)
            {
                challReady = await CanConnectAsync(challManagementPort, cancellationToken);
            }

            if (challReady)
            {
                try
                {
                    using var response = await http.GetAsync(DirectoryUrl, cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // per-request timeout: try again
                }
            }

            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"pebble did not become ready within 60 s:\n{Logs}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the CA (pebble) and leaves challtestsrv answering DNS: a CA outage. Its port refuses connections from now
    /// on; the server cannot be started again (pebble forgets every account and certificate).
    /// </summary>
    public async Task StopCaAsync()
    {
        if (!_caStopped)
        {
            _caStopped = true;
            await _pebble.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopCaAsync();
        await _challTestSrv.DisposeAsync();
        _tlsAuthority.Dispose();
    }
}
