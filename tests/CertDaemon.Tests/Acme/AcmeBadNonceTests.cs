using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Acme;

public sealed class AcmeBadNonceTests(BadNoncePebbleFixture fixture, ITestOutputHelper output) : IClassFixture<BadNoncePebbleFixture>
{
    private PebbleServer Server => fixture.Server;

    [Fact]
    public Task Every_request_succeeds_when_half_the_nonces_are_rejected() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var accountKey = AccountKey.Generate();
            // 30 re-signs per request: 0.5^31 makes a spurious failure practically impossible at 50% rejection.
            using var client = AcmeTestClient.Create(Server, accountKey, new AcmeClientOptions { MaxBadNonceRetries = 30 });
            await TestIssuance.RegisterAsync(client.Client);

            var orders = new List<AcmeOrder>();
            for (var i = 0; i < 10; i++)
            {
                orders.Add(await client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = [TestIssuance.NewDomain()] }, CancellationToken.None));
            }

            foreach (var order in orders)
            {
                Assert.Equal(order.Url, (await client.Client.GetOrderAsync(order.Url, CancellationToken.None)).Url);
                Assert.Equal(AcmeStatus.Pending, (await client.Client.GetAuthorizationAsync(order.Authorizations[0], CancellationToken.None)).Status);
            }

            var (_, chains, key) = await TestIssuance.IssueAsync(client.Client, Server, TestIssuance.NewDomain());
            using var _ = key;
            Assert.Single(chains);

            // The rejections really happened and were each answered by re-signing.
            var retries = client.Logger.Count("AcmeBadNonceRetry");
            output.WriteLine($"{retries} badNonce retries over {client.Recorder.Requests.Count(r => r.Method == HttpMethod.Post)} POSTs");
            Assert.True(retries >= 5, $"expected many badNonce retries at 50% rejection, saw {retries}");
        });

    [Fact]
    public Task Without_retries_allowed_a_bad_nonce_reaches_the_caller_as_a_typed_error() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var accountKey = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, accountKey, new AcmeClientOptions { MaxBadNonceRetries = 0 });

            // At 50% rejection, 40 lookups without retries see at least one badNonce except with probability 2^-40.
            BadNonceException? error = null;
            for (var i = 0; i < 40 && error is null; i++)
            {
                var thrown = await Record.ExceptionAsync(() => client.Client.FindAccountAsync(CancellationToken.None));
                if (thrown is not null)
                {
                    error = Assert.IsType<BadNonceException>(thrown);
                }
            }

            Assert.NotNull(error);
            Assert.Equal(AcmeErrorTypes.BadNonce, error.ProblemType);
            Assert.Equal(0, client.Logger.Count("AcmeBadNonceRetry"));
        });
}
