using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>pebble's PEBBLE_AUTHZREUSE on (100%) and off (0%): reused authorizations need no DNS record.</summary>
public sealed class AuthorizationReuseTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(100, 0)]
    [InlineData(0, 1)]
    public async Task A_second_order_for_the_same_name_solves_only_what_the_ca_did_not_reuse(int reusePercent, int expectedSecondPresents)
    {
        await using var pebble = await PebbleServer.StartAsync(new PebbleOptions { AuthorizationReusePercent = reusePercent, NonceRejectPercent = 20 });
        await FailureReport.WithLogsAsync(output, () => pebble.Logs, async () =>
        {
            using var harness = await IssuanceHarness.CreateAsync(pebble);
            var name = $"reuse-{Guid.NewGuid():N}"[..16] + ".example.test";

            var first = await harness.IssueAsync(name);
            var presentsAfterFirst = harness.Solver.PresentCalls;
            var second = await harness.IssueAsync(name);

            Assert.Equal(1, presentsAfterFirst);
            Assert.Equal(expectedSecondPresents, harness.Solver.PresentCalls - presentsAfterFirst);
            Assert.NotEqual(first.SerialHex, second.SerialHex);
        });
    }
}
