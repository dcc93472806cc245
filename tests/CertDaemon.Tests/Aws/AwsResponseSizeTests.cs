using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Aws.Route53;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Aws;

/// <summary>
/// A stand-in for an AWS endpoint (a TCP server on loopback) that answers every request with a 200 MB body, streamed
/// and never allocated: the Route53 and ACM clients stop at the bound with an error naming the service and the size,
/// and the server is cut off long before it has sent its body.
/// </summary>
public sealed class AwsResponseSizeTests
{
    private const long HugeBody = 200L * 1024 * 1024;

    public static TheoryData<bool, bool> Cases => new()
    {
        { true, false },   // route53, chunked (no length: cut off while reading)
        { true, true },    // route53, Content-Length (refused before reading)
        { false, false },  // acm, chunked
        { false, true },   // acm, Content-Length
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_200_MB_answer_is_cut_off_at_the_bound_with_an_error_naming_the_service(bool route53, bool declareLength)
    {
        await using var server = HugeAnswerServer.Start(declareLength);
        var credentials = new BasicAWSCredentials("AKIDSIZETEST", "secret");
        var retry = new AwsRetryOptions { MaxAttempts = 1 };
        AwsResponseTooLargeException error;
        if (route53)
        {
            using var client = Route53Client.Create(server.Endpoint, credentials, new AwsRequestRateLimiter(1000, 1000), retry, TimeProvider.System, NullLogger.Instance);
            error = await Assert.ThrowsAsync<AwsResponseTooLargeException>(() => client.GetChangeAsync("C1", CancellationToken.None));
            Assert.Equal("route53", error.Service);
        }
        else
        {
            using var client = AcmClient.Create("us-east-1", server.Endpoint, credentials, new AwsRequestRateLimiter(1000, 1000), retry, TimeProvider.System, NullLogger.Instance);
            error = await Assert.ThrowsAsync<AwsResponseTooLargeException>(() => client.DescribeCertificateAsync("arn:aws:acm:us-east-1:1:certificate/x", CancellationToken.None));
            Assert.Equal("acm", error.Service);
        }

        Assert.Equal(AwsResponseSizeLimitHandler.MaxResponseBytes, error.Limit);
        Assert.Contains($"over the limit of {AwsResponseSizeLimitHandler.MaxResponseBytes} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(declareLength ? HugeBody : null, error.DeclaredLength);

        // The client hung up: the server could not push the whole body (kernel buffers hold a few MB at most).
        var sent = await server.StoppedAfterAsync();
        Assert.True(sent < HugeBody / 4, $"the server sent {sent} bytes before the client stopped reading");
    }

    /// <summary>Answers one request with 200 MB of XML-ish filler, written in 64 KB pieces until the client goes away.</summary>
    private sealed class HugeAnswerServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task<long> _serving;

        private HugeAnswerServer(TcpListener listener, bool declareLength)
        {
            _listener = listener;
            _serving = ServeAsync(declareLength);
        }

        public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public static HugeAnswerServer Start(bool declareLength)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new HugeAnswerServer(listener, declareLength);
        }

        public Task<long> StoppedAfterAsync() => _serving.WaitAsync(TimeSpan.FromMinutes(1));

        private async Task<long> ServeAsync(bool declareLength)
        {
            using var client = await _listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var request = new byte[16384];
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(request);
                if (n == 0)
                {
                    return 0;
                }

                seen.Append(Encoding.ASCII.GetString(request, 0, n));
            }

            var head = declareLength
                ? $"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {HugeBody}\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
            var piece = Encoding.ASCII.GetBytes(new string('x', 65536));
            var chunkHead = Encoding.ASCII.GetBytes("10000\r\n");
            var chunkTail = Encoding.ASCII.GetBytes("\r\n");
            long sent = 0;
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                while (sent < HugeBody)
                {
                    if (!declareLength)
                    {
                        await stream.WriteAsync(chunkHead);
                    }

                    await stream.WriteAsync(piece);
                    if (!declareLength)
                    {
                        await stream.WriteAsync(chunkTail);
                    }

                    sent += piece.Length;
                }
            }
            catch (IOException)
            {
                // The client closed the connection: what it wanted to show.
            }

            return sent;
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _serving.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (SocketException)
            {
                // Never accepted (the test failed before connecting).
            }
        }
    }
}
