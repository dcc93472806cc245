using CertDaemon.Acme;
using CertDaemon.Issuance;
using CertDaemon.Testbed.Acme;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Issuance;

/// <summary>
/// ARI (RFC 9773) and profiles through the test proxy that adds them in front of pebble 2.4.0: what newOrder
/// carried is recorded by the proxy, windows are the ones the test chose.
/// </summary>
public sealed class AriAndProfileIssuanceTests(PebbleFixture pebble, ITestOutputHelper output) : IClassFixture<PebbleFixture>
{
    private static string Unique(string label) => $"{label}-{Guid.NewGuid():N}"[..20] + ".example.test";

    private Task WithLogs(Func<Task> body) => FailureReport.WithLogsAsync(output, () => pebble.Server.Logs, body);

    [Fact]
    public Task Renewal_info_is_read_for_an_issued_certificate_and_the_renewal_order_names_it_in_replaces() => WithLogs(async () =>
    {
        await using var proxy = await AcmeExtensionsProxy.StartAsync(pebble.Server);
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server, proxy.DirectoryUrl);
        var name = Unique("ari");
        var first = await harness.IssueAsync(name);
        Assert.NotNull(first.AriCertificateId);
        var start = TimeProvider.System.GetUtcNow().AddDays(10);
        proxy.SetRenewalWindow(first.AriCertificateId, start, start.AddDays(2), new Uri("https://ca.example.test/why"), TimeSpan.FromHours(6));

        var info = await harness.Acme.GetRenewalInfoAsync(new AriCertificateId(first.AriCertificateId!), CancellationToken.None);
        var second = await harness.Issuer.IssueAsync(new IssuanceRequest("ari", [name], Replaces: first.AriCertificateId), harness.Solver, CancellationToken.None);

        Assert.Equal(start.ToUnixTimeSeconds(), info.SuggestedWindow.Start.ToUnixTimeSeconds());
        Assert.Equal(start.AddDays(2).ToUnixTimeSeconds(), info.SuggestedWindow.End.ToUnixTimeSeconds());
        Assert.Equal(new Uri("https://ca.example.test/why"), info.ExplanationUrl);
        Assert.NotNull(info.RetryAfter);
        Assert.Equal(first.AriCertificateId, proxy.RenewalInfoRequests.Single().CertId);
        Assert.Equal(first.AriCertificateId, proxy.Orders[^1].Replaces);
        Assert.NotEqual(first.SerialHex, second.SerialHex);
    });

    [Fact]
    public Task An_already_replaced_certificate_is_ordered_again_without_replaces() => WithLogs(async () =>
    {
        await using var proxy = await AcmeExtensionsProxy.StartAsync(pebble.Server);
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server, proxy.DirectoryUrl);
        var name = Unique("replaced");
        var first = await harness.IssueAsync(name);
        proxy.ArmAlreadyReplaced(first.AriCertificateId);

        var second = await harness.Issuer.IssueAsync(new IssuanceRequest("r", [name], Replaces: first.AriCertificateId), harness.Solver, CancellationToken.None);

        // pebble rejects 20% of nonces: those attempts (400 badNonce) are retried by the client and left out here.
        var orders = proxy.Orders.Where(o => o.StatusCode is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Conflict).ToList();
        Assert.Equal(3, orders.Count);
        Assert.Equal(first.AriCertificateId, orders[1].Replaces);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, orders[1].StatusCode);
        Assert.Null(orders[2].Replaces);
        Assert.Equal(System.Net.HttpStatusCode.Created, orders[2].StatusCode);
        Assert.NotEqual(first.SerialHex, second.SerialHex);
    });

    [Fact]
    public Task An_offered_profile_is_sent_with_the_order_and_one_not_offered_is_refused_before_ordering() => WithLogs(async () =>
    {
        await using var proxy = await AcmeExtensionsProxy.StartAsync(pebble.Server);
        proxy.Profiles = new Dictionary<string, string> { ["classic"] = "90 days", ["shortlived"] = "about 6 days" };
        using var harness = await IssuanceHarness.CreateAsync(pebble.Server, proxy.DirectoryUrl);

        await harness.Issuer.IssueAsync(new IssuanceRequest("p", [Unique("profile")], Profile: "shortlived"), harness.Solver, CancellationToken.None);
        var ordersBefore = proxy.Orders.Count;
        var refused = await Assert.ThrowsAsync<AcmeProfileNotOfferedException>(() =>
            harness.Issuer.IssueAsync(new IssuanceRequest("p", [Unique("profile")], Profile: "tlsserver"), harness.Solver, CancellationToken.None));

        Assert.Equal("shortlived", proxy.Orders[^1].Profile);
        Assert.Equal(ordersBefore, proxy.Orders.Count);
        Assert.Contains("tlsserver", refused.Message, StringComparison.Ordinal);
        Assert.Contains("shortlived", refused.Message, StringComparison.Ordinal);
    });
}
