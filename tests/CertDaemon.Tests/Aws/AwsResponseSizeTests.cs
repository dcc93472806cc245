using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Aws.Route53;
using CertDaemon.Configuration;
using CertDaemon.Fleet;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Aws;

/// <summary>
/// A stand-in for an AWS endpoint (a TCP server on loopback) that answers every request with a 200 MB body, streamed
/// and never allocated: the Route53 and ACM clients stop at the bound with an error naming the service and the size,
/// and the server is cut off long before it has sent its body. The same for the SDK's clients we configure (STS for
/// assumed roles, S3 for the fleet store), which pick their endpoint and keys from the environment: hence the collection.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
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

    public static TheoryData<string, bool, bool> SdkCases => new()
    {
        { "sts", false, false },
        { "sts", true, false },
        { "sts", false, true },   // a synchronous credential refresh sends synchronously
        { "sts", true, true },
        { "s3", false, false },
        { "s3", true, false },
    };

    [Theory]
    [MemberData(nameof(SdkCases))]
    public async Task A_200_MB_answer_to_an_sdk_client_is_cut_off_at_the_same_bound(string service, bool declareLength, bool synchronous)
    {
        await using var server = HugeAnswerServer.Start(declareLength);
        using var scope = new EnvironmentScope()
            .ClearCredentialSources()
            .Set("AWS_ACCESS_KEY_ID", "AKIDSIZETEST")
            .Set("AWS_SECRET_ACCESS_KEY", "secret")
            .Set("AWS_REGION", "us-east-1")
            .Set("AWS_ENDPOINT_URL_STS", server.Endpoint.ToString());
        var thrown = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            if (service == "sts")
            {
                using var role = new StsAssumedRoleCredentials(
                    new BasicAWSCredentials("AKIDSIZETEST", "secret"), new AwsAssumeRoleOptions("arn:aws:iam::123456789012:role/size-test", null));
                if (synchronous)
                {
                    role.GetCredentials();
                }
                else
                {
                    await role.GetCredentialsAsync();
                }
            }
            else
            {
                var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_S3"] = server.Endpoint.ToString(), ["AWS_REGION"] = "us-east-1" };
                using var store = S3FleetObjectStore.Create(
                    new FleetOptions { Bucket = "fleet", Prefix = "p/" }, NullLogger.Instance, name => environment.GetValueOrDefault(name));
                await store.GetAsync("manifest.json", null, CancellationToken.None);
            }
        });

        // The fleet store reports it as any store failure, with the bound's message after the object's name.
        var error = service == "s3"
            ? Assert.IsType<AwsResponseTooLargeException>(Assert.IsType<FleetStoreException>(thrown).InnerException)
            : Assert.IsType<AwsResponseTooLargeException>(thrown);
        Assert.Contains(error.Message.TrimEnd('.'), thrown.Message, StringComparison.Ordinal);
        Assert.Equal(service, error.Service);
        Assert.Equal(AwsResponseSizeLimitHandler.MaxResponseBytes, error.Limit);
        Assert.StartsWith($"{service} answered ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"over the limit of {AwsResponseSizeLimitHandler.MaxResponseBytes} bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(declareLength ? HugeBody : null, error.DeclaredLength);
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
