using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Acme;

/// <summary>Orders, validation, finalization, download and revocation against a real pebble + challtestsrv.</summary>
public sealed class AcmeOrderTests(PebbleFixture fixture, ITestOutputHelper output) : IClassFixture<PebbleFixture>
{
    private PebbleServer Server => fixture.Server;

    [Fact]
    public Task A_dns01_order_for_a_name_and_its_wildcard_is_validated_finalized_and_downloaded() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);
            var name = TestIssuance.NewDomain();

            var (order, chains, key) = await TestIssuance.IssueAsync(client.Client, Server, name, "*." + name);
            using var _ = key;

            Assert.Equal([AcmeIdentifier.Dns(name), AcmeIdentifier.Dns("*." + name)], order.Identifiers.OrderBy(i => i.Value.Length));
            var chain = Assert.Single(chains);
            Assert.True(chain.CertificatesDer.Count >= 2, "leaf plus at least one intermediate");
            using var leaf = chain.LoadLeaf();
            Assert.Equal([name, "*." + name], leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().Order(StringComparer.Ordinal).Reverse());
            using var leafKey = leaf.GetECDsaPublicKey();
            Assert.Equal(key.ExportSubjectPublicKeyInfo(), leafKey!.ExportSubjectPublicKeyInfo());

            // The chain is what the CA signed with: the leaf's issuer is the next certificate, and its ARI CertID uses that issuer's key id.
            using var intermediate = X509CertificateLoader.LoadCertificate(chain.CertificatesDer[1]);
            Assert.Equal(intermediate.SubjectName.Name, leaf.IssuerName.Name);
            var intermediateKeyId = Convert.FromHexString(intermediate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!);
            Assert.StartsWith(System.Buffers.Text.Base64Url.EncodeToString(intermediateKeyId) + ".", AriCertificateId.FromCertificate(leaf).Value, StringComparison.Ordinal);
        });

    [Fact]
    public Task A_wrong_txt_value_fails_validation_promptly_naming_the_identifier_and_the_cas_detail() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);
            var name = TestIssuance.NewDomain();
            var order = await client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = [name] }, CancellationToken.None);
            await TestIssuance.AnswerChallengesAsync(client.Client, Server, order, _ => "not-the-key-authorization-digest");

            // A long timeout: failing with a validation error (not a timeout) proves the client stops at "invalid".
            var error = await Assert.ThrowsAsync<AcmeValidationException>(() =>
                client.Client.WaitForAuthorizationAsync(order.Authorizations[0], TimeSpan.FromMinutes(2), CancellationToken.None));

            output.WriteLine(error.Message);
            Assert.Equal(AcmeIdentifier.Dns(name), error.Identifier);
            Assert.Equal(AcmeChallenge.Dns01, error.ChallengeType);
            Assert.NotNull(error.Error);
            Assert.Equal(AcmeErrorTypes.Unauthorized, error.Error.Type);
            Assert.False(string.IsNullOrWhiteSpace(error.Error.Detail));
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
            Assert.Contains(error.Error.Detail!, error.Message, StringComparison.Ordinal);
            Assert.Equal(1, client.Logger.Count("AcmeValidationFailed"));

            // The order follows its authorization into "invalid", which waiting for it reports as a failed order.
            var failed = await Assert.ThrowsAsync<AcmeOrderFailedException>(() => client.Client.WaitForOrderAsync(order.Url, TimeSpan.FromMinutes(1), CancellationToken.None));
            Assert.Equal(AcmeStatus.Invalid, failed.Order.Status);
        });

    [Fact]
    public Task A_malformed_identifier_is_a_problem_naming_type_detail_method_and_url() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);
            var directory = await client.Client.GetDirectoryAsync(CancellationToken.None);

            // pebble 2.4.0 accepts "bad..name" (it checks only the characters); an underscore is refused as malformed.
            var error = await Assert.ThrowsAsync<AcmeProblemException>(() =>
                client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = ["bad_name.example.test"] }, CancellationToken.None));

            output.WriteLine(error.Message);
            Assert.Equal(AcmeErrorTypes.Malformed, error.ProblemType);
            Assert.Contains("illegal character", error.Detail, StringComparison.Ordinal);
            Assert.Equal(HttpMethod.Post, error.Method);
            Assert.Equal(directory.NewOrder, error.RequestUrl);
            Assert.Equal(400, error.HttpStatus);
            Assert.False(string.IsNullOrWhiteSpace(error.Detail));
            Assert.Contains(error.ProblemType, error.Message, StringComparison.Ordinal);
            Assert.Contains("POST " + directory.NewOrder.AbsoluteUri, error.Message, StringComparison.Ordinal);
        });

    [Fact]
    public Task A_profile_the_ca_does_not_offer_is_refused_before_any_order_is_sent() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);
            var directory = await client.Client.GetDirectoryAsync(CancellationToken.None);

            var error = await Assert.ThrowsAsync<AcmeProfileNotOfferedException>(() =>
                client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = [TestIssuance.NewDomain()], Profile = "shortlived" }, CancellationToken.None));

            Assert.Equal("shortlived", error.Profile);
            Assert.Empty(error.OfferedProfiles);
            Assert.Contains("'shortlived'", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(client.Recorder.Requests, r => r.Url == directory.NewOrder);
        });

    [Fact]
    public Task Renewal_info_from_a_ca_without_ari_is_a_typed_refusal() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var accountKey = AccountKey.Generate();
            using var client = AcmeTestClient.Create(Server, accountKey);

            var error = await Assert.ThrowsAsync<AcmeNotSupportedException>(() =>
                client.Client.GetRenewalInfoAsync(new AriCertificateId("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"), CancellationToken.None));

            Assert.Equal("renewalInfo", error.DirectoryField);
            Assert.Contains(Server.DirectoryUrl.AbsoluteUri, error.Message, StringComparison.Ordinal);
        });

    [Theory]
    [InlineData(1)] // keyCompromise
    [InlineData(4)] // superseded
    public Task A_revoked_certificate_is_revoked_at_the_ca_with_the_given_reason(int reasonCode) =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);
            var (_, chains, key) = await TestIssuance.IssueAsync(client.Client, Server, TestIssuance.NewDomain());
            using var _ = key;
            using var leaf = chains[0].LoadLeaf();
            Assert.Equal("Valid", (await Server.GetCertificateStatusAsync(leaf.SerialNumber)).Status);

            await client.Client.RevokeCertificateAsync(leaf.RawData, (RevocationReason)reasonCode, CancellationToken.None);

            var (status, reason) = await Server.GetCertificateStatusAsync(leaf.SerialNumber);
            Assert.Equal("Revoked", status);
            Assert.Equal(reasonCode, reason);

            // Revoking twice is the CA's "alreadyRevoked" problem, not a silent success.
            var again = await Assert.ThrowsAsync<AcmeProblemException>(() =>
                client.Client.RevokeCertificateAsync(leaf.RawData, (RevocationReason)reasonCode, CancellationToken.None));
            Assert.Equal(AcmeErrorTypes.AlreadyRevoked, again.ProblemType);
        });

    [Fact]
    public Task Polling_an_order_that_stays_pending_ends_with_a_typed_timeout() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server, new AcmeClientOptions { PollInitialInterval = TimeSpan.FromMilliseconds(100), PollMaxInterval = TimeSpan.FromMilliseconds(200) });
            var order = await client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = [TestIssuance.NewDomain()] }, CancellationToken.None);

            // Nobody answers the challenge, so the authorization stays pending.
            var error = await Assert.ThrowsAsync<AcmeTimeoutException>(() =>
                client.Client.WaitForAuthorizationAsync(order.Authorizations[0], TimeSpan.FromSeconds(1), CancellationToken.None));

            Assert.Equal(AcmeStatus.Pending, error.LastStatus);
            Assert.Equal(order.Authorizations[0], error.ResourceUrl);
            Assert.True(client.Logger.Count("AcmePolling") >= 2, "it polled more than once before giving up");
        });

    [Fact]
    public Task Finalizing_before_the_order_is_ready_is_the_cas_order_not_ready_problem() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);
            var name = TestIssuance.NewDomain();
            var order = await client.Client.NewOrderAsync(new NewOrderOptions { DnsNames = [name] }, CancellationToken.None);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

            var error = await Assert.ThrowsAsync<AcmeProblemException>(() => client.Client.FinalizeAsync(order, TestIssuance.CreateCsr(key, [name]), CancellationToken.None));

            Assert.Equal(AcmeErrorTypes.OrderNotReady, error.ProblemType);
            Assert.Equal(order.Finalize, error.RequestUrl);
        });
}
