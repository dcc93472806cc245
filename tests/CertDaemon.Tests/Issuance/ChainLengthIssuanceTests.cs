using System.Security.Cryptography.X509Certificates;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>PEBBLE_CHAIN_LENGTH=3: the leaf must chain through every returned intermediate, in order.</summary>
public sealed class ChainLengthIssuanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_longer_chain_is_verified_link_by_link_and_kept_whole()
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { ChainLength = 3 });
        await FailureReport.WithLogsAsync(output, () => pebble.Logs, async () =>
        {
            using var harness = await IssuanceHarness.CreateAsync(pebble);
            var issued = await harness.IssueAsync("long-chain.example.test");

            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(issued.ChainPem);
            Assert.True(chain.Count >= 2, $"expected several intermediates, got {chain.Count}");
            using var leaf = X509Certificate2.CreateFromPem(issued.CertificatePem);
            Assert.Equal(chain[0].Subject, leaf.Issuer);
            for (var i = 0; i + 1 < chain.Count; i++)
            {
                Assert.Equal(chain[i + 1].Subject, chain[i].Issuer);
            }
        });
    }
}
