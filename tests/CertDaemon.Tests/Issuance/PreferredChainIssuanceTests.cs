using System.Security.Cryptography.X509Certificates;
using CertDaemon.Issuance;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>PEBBLE_ALTERNATE_ROOTS=2: three chains are offered; the preferred issuer picks which one is stored.</summary>
public sealed class PreferredChainIssuanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_chain_whose_issuer_matches_the_preference_is_kept_and_the_default_otherwise()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { AlternateRoots = 2 });
        await FailureReport.WithLogsAsync(output, () => pebble.Logs, async () =>
        {
            using var harness = await IssuanceHarness.CreateAsync(pebble);
            using var root0 = await pebble.GetRootAsync(0);
            using var root2 = await pebble.GetRootAsync(2);
            var root2Name = root2.GetNameInfo(X509NameType.SimpleName, false);

            var preferred = await harness.Issuer.IssueAsync(
                new IssuanceRequest("c", ["chain.example.test"], PreferredChainIssuer: root2Name), harness.Solver, CancellationToken.None);
            var fallback = await harness.Issuer.IssueAsync(
                new IssuanceRequest("c", ["chain.example.test"], PreferredChainIssuer: "No Such Root"), harness.Solver, CancellationToken.None);

            Assert.Equal(root2.Subject, TopIssuer(preferred));
            Assert.Equal(root0.Subject, TopIssuer(fallback));
        });
    }

    private static string TopIssuer(IssuedCertificate issued)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(issued.ChainPem);
        return chain[^1].Issuer;
    }
}
