using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// A pass-through HTTP proxy in front of the Route53 emulator that adds <c>Retry-After: N</c> to every
/// <c>Throttling</c> answer and records when each request arrived, keyed by method + path + body. The emulator sends
/// no Retry-After (neither does pebble 2.4 on badNonce), so this is how the benchmark proves it is honoured: the
/// retry of a throttled request must come at least N seconds later (the client's own backoff is 0.2 s-scale).
/// </summary>
internal sealed class RetryAfterProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentDictionary<string, DateTimeOffset> _throttledAt = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<double> _gaps = [];

    private RetryAfterProxy(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public int RetryAfterSeconds { get; private init; }

    /// <summary>Seconds between a throttled answer carrying Retry-After and the retry of that same request.</summary>
    public IReadOnlyList<double> RetryGaps => [.. _gaps];

    private int _throttledWithRetryAfter;

    public int ThrottledWithRetryAfter => Volatile.Read(ref _throttledWithRetryAfter);

    public static async Task<RetryAfterProxy> StartAsync(Uri upstream, int retryAfterSeconds)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var proxy = new RetryAfterProxy(app) { RetryAfterSeconds = retryAfterSeconds };
        app.Run(context => proxy.ForwardAsync(context, upstream));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.Endpoint = new Uri(address.TrimEnd('/') + "/");
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context, Uri upstream)
    {
        var now = TimeProvider.System.GetUtcNow();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        var key = context.Request.Method + " " + context.Request.Path + context.Request.QueryString + " " + Convert.ToHexString(SHA256.HashData(bytes));
        if (_throttledAt.TryRemove(key, out var throttled))
        {
            _gaps.Add((now - throttled).TotalSeconds);
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(upstream, context.Request.Path + context.Request.QueryString));
        if (bytes.Length > 0 || context.Request.ContentType is not null)
        {
            request.Content = new ByteArrayContent(bytes);
        }

        foreach (var header in context.Request.Headers)
        {
            // Host stays the client's: it is part of the SigV4 signature the emulator checks.
            if (!request.Headers.TryAddWithoutValidation(header.Key, [.. header.Value]))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, [.. header.Value]);
            }
        }

        using var response = await _upstream.SendAsync(request, context.RequestAborted);
        var answer = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        if ((int)response.StatusCode == 400 && System.Text.Encoding.UTF8.GetString(answer).Contains("<Code>Throttling</Code>", StringComparison.Ordinal))
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _throttledAt[key] = TimeProvider.System.GetUtcNow();
            Interlocked.Increment(ref _throttledWithRetryAfter);
        }

        await context.Response.Body.WriteAsync(answer, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
