using CertDaemon.Dns;

namespace CertDaemon.Tests.Dns;

public sealed class DnsCnameResolverTests(TwoNameserversFixture servers) : IClassFixture<TwoNameserversFixture>
{
    private readonly string _run = "c" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Follows_a_chain_to_its_end_and_returns_plain_names_unchanged()
    {
        var client = servers.First.Client;
        await client.AddCnameAsync($"_acme-challenge.{_run}.test", $"hop.{_run}.test");
        await client.AddCnameAsync($"hop.{_run}.test", $"final.{_run}-validation.test");
        var resolver = Resolver();

        Assert.Equal($"final.{_run}-validation.test.", await resolver.ResolveAsync($"_ACME-challenge.{_run}.test", default));
        Assert.Equal($"_acme-challenge.plain-{_run}.test.", await resolver.ResolveAsync($"_acme-challenge.plain-{_run}.test", default));
    }

    [Fact]
    public async Task A_loop_is_a_typed_error_listing_the_chain()
    {
        await servers.First.Client.AddCnameAsync($"a.{_run}.test", $"b.{_run}.test");
        await servers.First.Client.AddCnameAsync($"b.{_run}.test", $"a.{_run}.test");

        var error = await Assert.ThrowsAsync<CnameResolutionException>(() => Resolver().ResolveAsync($"a.{_run}.test", default));

        Assert.Equal([$"a.{_run}.test.", $"b.{_run}.test.", $"a.{_run}.test."], error.Chain);
        Assert.Contains("loops", error.Message, StringComparison.Ordinal);
    }

    private DnsCnameResolver Resolver() => new(DnsServer.ParseAll([servers.First.Endpoint]), TimeSpan.FromSeconds(1));
}
