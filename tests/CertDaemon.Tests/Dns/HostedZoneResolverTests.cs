using CertDaemon.Dns.Route53;

namespace CertDaemon.Tests.Dns;

public sealed class HostedZoneResolverTests
{
    [Fact]
    public async Task The_longest_matching_zone_wins()
    {
        var route53 = new FakeRoute53Client();
        var parent = route53.AddZone("example.test");
        var sub = route53.AddZone("sub.example.test");
        route53.AddZone("aaa.example.test");
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        Assert.Equal(sub.Id, (await resolver.ResolveAsync("_acme-challenge.www.sub.example.test", null, default)).Id);
        Assert.Equal(parent.Id, (await resolver.ResolveAsync("_acme-challenge.other.example.test", null, default)).Id);
        // One listing of the zones under example.test answered both names (100 names of a domain cost one call).
        Assert.Single(route53.ListHostedZonesByNameRequests);
    }

    [Fact]
    public async Task More_zones_under_a_domain_than_one_page_holds_still_find_the_longest_match()
    {
        var route53 = new FakeRoute53Client();
        route53.AddZone("example.test");
        for (var i = 0; i < 120; i++)
        {
            route53.AddZone($"z{i:D3}.example.test");
        }

        var deep = route53.AddZone("zz.deep.example.test");
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        Assert.Equal(deep.Id, (await resolver.ResolveAsync("_acme-challenge.www.zz.deep.example.test", null, default)).Id);
        Assert.Contains(route53.ListHostedZonesByNameRequests, r => r.MaxItems == 1); // fell back to exact lookups
    }

    [Fact]
    public async Task A_zone_whose_name_only_sorts_after_the_candidate_is_not_a_match()
    {
        // ListHostedZonesByName(dnsname=b.test) starts at the next zone in order (bb.test): not an exact match.
        var route53 = new FakeRoute53Client();
        route53.AddZone("bb.test");
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        await Assert.ThrowsAsync<HostedZoneNotFoundException>(() => resolver.ResolveAsync("_acme-challenge.b.test", null, default));
    }

    [Fact]
    public async Task Private_zones_are_ignored_unless_configured()
    {
        var route53 = new FakeRoute53Client();
        var publicZone = route53.AddZone("example.test");
        var privateZone = route53.AddZone("internal.example.test", privateZone: true);

        var publicOnly = new HostedZoneResolver(route53, privateZones: false);
        Assert.Equal(publicZone.Id, (await publicOnly.ResolveAsync("_acme-challenge.internal.example.test", null, default)).Id);

        var withPrivate = new HostedZoneResolver(route53, privateZones: true);
        Assert.Equal(privateZone.Id, (await withPrivate.ResolveAsync("_acme-challenge.internal.example.test", null, default)).Id);
    }

    [Fact]
    public async Task A_public_zone_sharing_its_name_with_a_private_one_is_found()
    {
        var route53 = new FakeRoute53Client();
        route53.AddZone("split.test", privateZone: true);
        var publicZone = route53.AddZone("split.test");
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        Assert.Equal(publicZone.Id, (await resolver.ResolveAsync("_acme-challenge.split.test", null, default)).Id);
    }

    [Fact]
    public async Task No_match_lists_every_name_tried()
    {
        var route53 = new FakeRoute53Client();
        route53.AddZone("other.test");
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        var error = await Assert.ThrowsAsync<HostedZoneNotFoundException>(
            () => resolver.ResolveAsync("_acme-challenge.www.example.test", null, default));

        Assert.Equal(["_acme-challenge.www.example.test.", "www.example.test.", "example.test.", "test."], error.NamesTried);
        foreach (var name in error.NamesTried)
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Answers_are_cached_per_instance()
    {
        var route53 = new FakeRoute53Client();
        route53.AddZone("example.test");
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        await resolver.ResolveAsync("_acme-challenge.example.test", null, default);
        var afterFirst = route53.ListHostedZonesByNameRequests.Count;
        await resolver.ResolveAsync("_acme-challenge.example.test.", null, default);
        await resolver.ResolveAsync("_ACME-CHALLENGE.example.test", null, default);

        Assert.Equal(afterFirst, route53.ListHostedZonesByNameRequests.Count);
        await new HostedZoneResolver(route53, privateZones: false).ResolveAsync("_acme-challenge.example.test", null, default);
        Assert.Equal(2 * afterFirst, route53.ListHostedZonesByNameRequests.Count);
    }

    [Fact]
    public async Task An_override_id_is_used_after_checking_the_name_is_inside_it()
    {
        var route53 = new FakeRoute53Client();
        route53.AddZone("example.test");
        var delegated = route53.AddZone("validation.test", privateZone: true);
        var resolver = new HostedZoneResolver(route53, privateZones: false);

        var zone = await resolver.ResolveAsync("_acme-challenge.example.test.validation.test", "/hostedzone/" + delegated.Id, default);
        Assert.Equal(delegated.Id, zone.Id);
        Assert.Empty(route53.ListHostedZonesByNameRequests);

        var error = await Assert.ThrowsAsync<HostedZoneMismatchException>(
            () => resolver.ResolveAsync("_acme-challenge.example.test", delegated.Id, default));
        Assert.Contains("validation.test.", error.Message, StringComparison.Ordinal);
        Assert.Contains(delegated.Id, error.Message, StringComparison.Ordinal);
    }
}
