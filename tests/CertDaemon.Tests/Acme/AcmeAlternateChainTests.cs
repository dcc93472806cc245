using CertDaemon.Acme;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Acme;

public sealed class AcmeAlternateChainTests(AlternateRootsPebbleFixture fixture, ITestOutputHelper output) : IClassFixture<AlternateRootsPebbleFixture>
{
    private PebbleServer Server => fixture.Server;

    [Fact]
    public Task The_default_chain_and_both_alternates_are_downloaded_and_the_preferred_issuer_picks_its_chain() =>
        FailureReport.WithLogsAsync(output, () => Server.Logs, async () =>
        {
            using var client = await AcmeTestClient.CreateRegisteredAsync(Server);

            var (_, chains, key) = await TestIssuance.IssueAsync(client.Client, Server, TestIssuance.NewDomain());
            using var _ = key;

            Assert.Equal(3, chains.Count);
            Assert.Equal(3, chains.Select(c => c.TopIssuerName).Distinct().Count());
            Assert.Single(chains.Select(c => Convert.ToHexString(c.CertificatesDer[0])).Distinct()); // same leaf in every chain

            // Root i (from pebble's management API) is the top issuer of chain i, in the order the CA offers them.
            for (var i = 0; i < 3; i++)
            {
                using var root = await Server.GetRootAsync(i);
                Assert.Equal(root.SubjectName.Name, chains[i].TopIssuerName);
            }

            using var alternateRoot = await Server.GetRootAsync(2);
            var rootCommonName = alternateRoot.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
            Assert.Same(chains[2], AcmeCertificateChain.SelectPreferred(chains, rootCommonName));
            Assert.Same(chains[2], AcmeCertificateChain.SelectPreferred(chains, alternateRoot.SubjectName.Name));
            Assert.Same(chains[0], AcmeCertificateChain.SelectPreferred(chains, "No Such Root CA"));
            Assert.Same(chains[0], AcmeCertificateChain.SelectPreferred(chains, null));
        });
}
