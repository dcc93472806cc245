using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CertDaemon.Testbed;

namespace CertDaemon.Tests.Acme;

/// <summary>
/// A tiny HTTP server on a free loopback port that answers whatever the test scripts: for CA behaviour pebble cannot
/// produce (garbage answers, rate limits, ARI, profiles). Records every request with its body.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<ScriptedRequest, HttpListenerResponse, Task> _handler;
    private readonly ConcurrentQueue<ScriptedRequest> _requests = new();
    private readonly Task _loop;

    public ScriptedHttpServer(Func<ScriptedRequest, HttpListenerResponse, Task> handler)
    {
        _handler = handler;
        var port = FreePort.Next();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUrl.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUrl { get; }

    public Uri DirectoryUrl => new(BaseUrl, "dir");

    public IReadOnlyList<ScriptedRequest> Requests => [.. _requests];

    public static async Task WriteAsync(HttpListenerResponse response, int status, string contentType, string body, params (string Name, string Value)[] headers)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            response.AddHeader(name, value);
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    /// <summary>Answers HEAD newNonce with a nonce, as every scripted CA needs.</summary>
    public static bool TryAnswerNonce(ScriptedRequest request, HttpListenerResponse response)
    {
        if (request.Path != "/nonce")
        {
            return false;
        }

        response.StatusCode = 200;
        response.AddHeader("Replay-Nonce", "bm9uY2U" + Guid.NewGuid().ToString("N"));
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _loop;
        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = new ScriptedRequest(context.Request.HttpMethod, context.Request.Url!.Authority, context.Request.Url.AbsolutePath, await reader.ReadToEndAsync());
            _requests.Enqueue(request);
            try
            {
                await _handler(request, context.Response);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }
}
