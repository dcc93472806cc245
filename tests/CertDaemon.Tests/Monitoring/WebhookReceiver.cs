using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace CertDaemon.Tests.Monitoring;

/// <summary>A webhook endpoint on a free loopback port that keeps every JSON body POSTed to it.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<JsonElement> _received = new();
    private readonly Task _loop;

    public WebhookReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Url = new Uri($"http://127.0.0.1:{Port}/hooks/T000/secret-token");
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>What the receiver answers; 200 unless a test wants a failing receiver.</summary>
    public int StatusCode { get; set; } = 200;

    public Uri Url { get; }

    public IReadOnlyList<JsonElement> Received => [.. _received];

    /// <summary>Waits until <paramref name="count"/> bodies arrived (or the timeout passed) and returns what arrived.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_received.Count < count && !cts.IsCancellationRequested)
        {
            await Task.Delay(50, CancellationToken.None);
        }

        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
            // Stopping the listener ends GetContextAsync with this exception: the loop is over.
        }

        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var document = await JsonDocument.ParseAsync(context.Request.InputStream);
            _received.Enqueue(document.RootElement.Clone());
            context.Response.StatusCode = StatusCode;
            context.Response.Close();
        }
    }
}
