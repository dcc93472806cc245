using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Acme;

/// <summary>Account lifecycle against a real pebble (badNonce rejection at 20%).</summary>
public sealed class AcmeAccountTests(PebbleFixture fixture, ITestOutputHelper output) : IClassFixture<PebbleFixture>
{
    private PebbleServer Server => fixture.Server;

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("RS256")]
    public Task An_account_created_with_contact_and_terms_is_found_again_by_a_fresh_client_with_the_same_key(string alg) =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate(Enum.Parse<AccountKeyAlgorithm>(alg));
            using var creator = AcmeTestClient.Create(Server, key);

            var created = await creator.Client.CreateAccountAsync(
                new NewAccountOptions { Contact = ["mailto:ops@example.test"], TermsOfServiceAgreed = true }, CancellationToken.None);

            Assert.Equal(AcmeStatus.Valid, created.Status);
            Assert.Equal(["mailto:ops@example.test"], created.Contact);
            Assert.Equal(created.Url, creator.Client.AccountUrl);
            Assert.Equal(1, creator.Logger.Count("AcmeAccountCreated"));

            using var finder = AcmeTestClient.Create(Server, key);
            var lookup = await finder.Client.FindAccountAsync(CancellationToken.None);

            Assert.True(lookup.Found);
            Assert.Equal(created.Url, lookup.Account!.Url);
            Assert.Equal(created.Url, finder.Client.AccountUrl);
            Assert.Equal(["mailto:ops@example.test"], lookup.Account.Contact);
        });

    [Fact]
    public Task Creating_an_account_again_with_the_same_key_returns_the_existing_account() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var first = AcmeTestClient.Create(Server, key);
            var created = await TestIssuance.RegisterAsync(first.Client);

            using var second = AcmeTestClient.Create(Server, key);
            var again = await TestIssuance.RegisterAsync(second.Client);

            Assert.Equal(created.Url, again.Url);
            Assert.Equal(1, second.Logger.Count("AcmeAccountExisting"));
        });

    [Fact]
    public Task A_key_that_never_registered_is_not_found_and_nothing_is_created() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, key);

            var lookup = await client.Client.FindAccountAsync(CancellationToken.None);

            Assert.False(lookup.Found);
            Assert.Null(lookup.Account);
            Assert.Null(client.Client.AccountUrl);
            Assert.False((await client.Client.FindAccountAsync(CancellationToken.None)).Found);
        });

    [Fact]
    public Task The_contact_can_be_replaced_and_the_ca_keeps_the_new_one() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, key);
            await TestIssuance.RegisterAsync(client.Client);

            var updated = await client.Client.UpdateContactAsync(["mailto:new@example.test", "mailto:second@example.test"], CancellationToken.None);

            Assert.Equal(["mailto:new@example.test", "mailto:second@example.test"], updated.Contact);
            using var finder = AcmeTestClient.Create(Server, key);
            var lookup = await finder.Client.FindAccountAsync(CancellationToken.None);
            Assert.Equal(["mailto:new@example.test", "mailto:second@example.test"], lookup.Account!.Contact);
        });

    [Fact]
    public Task After_key_rollover_the_old_key_no_longer_finds_the_account_and_the_new_key_does() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var oldKey = AccountKey.Generate(AccountKeyAlgorithm.ES256);
            using var newKey = AccountKey.Generate(AccountKeyAlgorithm.ES384);
            using var client = AcmeTestClient.Create(Server, oldKey);
            var account = await TestIssuance.RegisterAsync(client.Client);

            await client.Client.ChangeKeyAsync(newKey, CancellationToken.None);

            Assert.Same(newKey, client.Client.AccountKey);
            using var withOldKey = AcmeTestClient.Create(Server, oldKey);
            Assert.False((await withOldKey.Client.FindAccountAsync(CancellationToken.None)).Found);
            using var withNewKey = AcmeTestClient.Create(Server, newKey);
            var lookup = await withNewKey.Client.FindAccountAsync(CancellationToken.None);
            Assert.True(lookup.Found);
            Assert.Equal(account.Url, lookup.Account!.Url);

            // The rolled-over client keeps working: it now signs with the new key.
            var order = await client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = [TestIssuance.NewDomain()] }, CancellationToken.None);
            Assert.Equal(AcmeStatus.Pending, order.Status);
        });

    [Fact]
    public Task Requests_are_jose_json_posts_with_the_certdaemon_user_agent() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, key);

            await TestIssuance.RegisterAsync(client.Client);

            var requests = client.Recorder.Requests;
            Assert.All(requests, r => Assert.StartsWith("CertDaemon/", r.UserAgent, StringComparison.Ordinal));
            var posts = requests.Where(r => r.Method == HttpMethod.Post).ToList();
            Assert.NotEmpty(posts);
            Assert.All(posts, r => Assert.Equal("application/jose+json", r.ContentType));
            Assert.Single(requests, r => r.Method == HttpMethod.Get && r.Url == Server.DirectoryUrl);
        });
}
