using System.Net;

namespace CertDaemon.Aws;

/// <summary>
/// Bounds what is read from an AWS endpoint: a response that declares a body over <see cref="MaxResponseBytes"/> is
/// refused before its body is read, and one that streams more than that (chunked, no length) is cut off there. Either
/// way <see cref="AwsResponseTooLargeException"/> names the service and the size. Every reader above (the retry
/// handler's error parsing, the client's buffering) reads through this bound, so no answer is ever held whole.
/// </summary>
/// <remarks>Route53 and ACM answers are kilobytes (a page of 300 record sets, a certificate chain), as are STS
/// credentials and the fleet's S3 objects (certificates, keys, manifests; the SDK clients get this handler through
/// <see cref="AwsSdkHttpClientFactory"/>): 4 MB, the same bound as ACME responses, leaves a wide margin.</remarks>
internal sealed class AwsResponseSizeLimitHandler(string service, long maxResponseBytes = AwsResponseSizeLimitHandler.MaxResponseBytes) : DelegatingHandler
{
    /// <summary>The default bound: 4 MB.</summary>
    public const long MaxResponseBytes = 4 * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Bound(request, await base.SendAsync(request, cancellationToken));

    // The SDK's synchronous calls (a credential refresh through GetCredentials) send synchronously on .NET 8+.
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Bound(request, base.Send(request, cancellationToken));

    private HttpResponseMessage Bound(HttpRequestMessage request, HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > maxResponseBytes)
        {
            response.Dispose();
            throw new AwsResponseTooLargeException(service, request.RequestUri, maxResponseBytes, declared);
        }

        var bounded = new BoundedContent(response.Content, service, request.RequestUri, maxResponseBytes);
        response.Content = bounded;
        return response;
    }

    /// <summary>The response body, read through a counter that stops at the bound.</summary>
    private sealed class BoundedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly string _service;
        private readonly Uri? _uri;
        private readonly long _limit;

        public BoundedContent(HttpContent inner, string service, Uri? uri, long limit)
        {
            (_inner, _service, _uri, _limit) = (inner, service, uri, limit);
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await _inner.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > _limit)
                {
                    throw new AwsResponseTooLargeException(_service, _uri, _limit, declaredLength: null);
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? 0;
            return _inner.Headers.ContentLength is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
