using System.Collections.Concurrent;

namespace CertDaemon.Tests.Acme;

/// <summary>Records what the ACME client puts on the wire (method, URL, headers), then passes the request on.</summary>
public sealed class RequestRecorder(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.UserAgent.ToString(),
            request.Content?.Headers.ContentType?.MediaType));
        return await base.SendAsync(request, cancellationToken);
    }
}

public sealed record RecordedRequest(HttpMethod Method, Uri Url, string UserAgent, string? ContentType);
