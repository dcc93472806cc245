using System.Net;
using Amazon.Runtime;

namespace CertDaemon.Aws;

/// <summary>
/// The HttpClient the AWS SDK's own clients (STS, S3) send through: the transport the SDK would build for the same
/// config (redirects, no decompression, proxy and proxy credentials, connection limit, connect and request timeouts)
/// with <see cref="AwsResponseSizeLimitHandler"/> above it, so an SDK answer is bounded like a Route53 or ACM one.
/// </summary>
/// <remarks>
/// Caching and disposal stay the SDK's defaults: <see cref="HttpClientFactory.GetConfigUniqueString"/> returns null,
/// so the SDK keeps the clients made here per SDK client and disposes them with it. Plain subclassing and
/// <see cref="SocketsHttpHandler"/>: nothing here is reflected on, so it is trim- and AOT-safe.
/// </remarks>
internal sealed class AwsSdkHttpClientFactory(string service) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
        var transport = new SocketsHttpHandler
        {
            // As the SDK's own handler: S3 answers redirects itself, bodies are read as sent, several H2 connections.
            AllowAutoRedirect = clientConfig.AllowAutoRedirect,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            // Long-lived clients: re-resolve DNS now and then; AWS rotates endpoint addresses.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (clientConfig.ConnectTimeout is { } connectTimeout)
        {
            transport.ConnectTimeout = connectTimeout;
        }

        if (clientConfig.MaxConnectionsPerServer is { } maxConnections)
        {
            transport.MaxConnectionsPerServer = maxConnections;
        }

        // Null keeps the default proxy (HTTP_PROXY / HTTPS_PROXY), as the SDK does.
        if (clientConfig.GetWebProxy() is { } proxy)
        {
            transport.Proxy = proxy;
            if (clientConfig.ProxyCredentials is { } proxyCredentials)
            {
                proxy.Credentials = proxyCredentials;
            }
        }

        var bounded = new AwsResponseSizeLimitHandler(service) { InnerHandler = transport };
        var client = new HttpClient(bounded, disposeHandler: true);
        if (clientConfig.Timeout is { } timeout)
        {
            client.Timeout = timeout;
        }

        return client;
    }
}
