using System.Buffers.Text;
using System.Security.Cryptography;
using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Acme;

public sealed class AcmeExternalAccountBindingTests(EabPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<EabPebbleFixture>
{
    private PebbleServer Server => fixture.Server;

    [Fact]
    public Task The_directory_says_eab_is_required_and_an_account_with_the_right_binding_is_created() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, key);

            var directory = await client.Client.GetDirectoryAsync(CancellationToken.None);
            var account = await client.Client.CreateAccountAsync(new NewAccountOptions
            {
                TermsOfServiceAgreed = true,
                ExternalAccountBinding = new ExternalAccountBinding(EabPebbleFixture.KeyId, EabPebbleFixture.HmacKey),
            }, CancellationToken.None);

            Assert.True(directory.Meta.ExternalAccountRequired);
            Assert.Equal(AcmeStatus.Valid, account.Status);
            Assert.NotNull(client.Client.AccountUrl);
        });

    [Fact]
    public Task A_wrong_hmac_key_is_refused_with_the_cas_problem_and_the_new_account_url() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, key);
            var directory = await client.Client.GetDirectoryAsync(CancellationToken.None);
            var wrongKey = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

            var error = await Assert.ThrowsAsync<AcmeProblemException>(() => client.Client.CreateAccountAsync(new NewAccountOptions
            {
                TermsOfServiceAgreed = true,
                ExternalAccountBinding = new ExternalAccountBinding(EabPebbleFixture.KeyId, wrongKey),
            }, CancellationToken.None));

            output.WriteLine(error.Message);
            Assert.Equal(AcmeErrorTypes.Unauthorized, error.ProblemType);
            Assert.Equal(HttpMethod.Post, error.Method);
            Assert.Equal(directory.NewAccount, error.RequestUrl);
            Assert.False(string.IsNullOrWhiteSpace(error.Detail));
            Assert.Contains(error.Detail!, error.Message, StringComparison.Ordinal);
            Assert.Contains(directory.NewAccount.AbsoluteUri, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongKey, error.Message, StringComparison.Ordinal);
            Assert.Null(client.Client.AccountUrl);
        });

    [Fact]
    public Task Without_a_binding_the_ca_says_external_account_required() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var key = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, key);

            var error = await Assert.ThrowsAsync<AcmeProblemException>(() => TestIssuance.RegisterAsync(client.Client));

            output.WriteLine(error.Message);
            Assert.Equal(AcmeErrorTypes.ExternalAccountRequired, error.ProblemType);
            Assert.Contains("externalAccountRequired", error.Message, StringComparison.Ordinal);
        });
}
