using CertDaemon.Dns.Route53;

namespace CertDaemon.Tests.Dns;

/// <summary>Zone choice against the Route53 emulator, through the product's client.</summary>
public sealed class HostedZoneResolverTests
{
    [Fact]
    public async Task The_longest_matching_zone_wins()
    {
        await using var route53 = await EmulatedRoute53.StartAsync();
        var parent = route53.Emulator.AddHostedZone("example.test");
        var sub = route53.Emulator.AddHostedZone("sub.example.test");
        route53.Emulator.AddHostedZone("aaa.example.test");
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

        Assert.Equal(sub, (await resolver.ResolveAsync("_acme-challenge.www.sub.example.test", null, default)).Id);
        Assert.Equal(parent, (await resolver.ResolveAsync("_acme-challenge.other.example.test", null, default)).Id);
        // One listing of the zones under example.test answered both names (100 names of a domain cost one call).
        Assert.Single(route53.ListHostedZonesByNameRequests());
    }

    [Fact]
    public async Task More_zones_under_a_domain_than_one_page_holds_still_find_the_longest_match()
    {
        await using var route53 = await EmulatedRoute53.StartAsync();
        route53.Emulator.AddHostedZone("example.test");
        for (var i = 0; i < 120; i++)
        {
            route53.Emulator.AddHostedZone($"z{i:D3}.example.test");
        }

        var deep = route53.Emulator.AddHostedZone("zz.deep.example.test");
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

        Assert.Equal(deep, (await resolver.ResolveAsync("_acme-challenge.www.zz.deep.example.test", null, default)).Id);
        Assert.Contains(route53.ListHostedZonesByNameRequests(), r => r.MaxItems == 1); // fell back to exact lookups
    }

    [Fact]
    public async Task A_zone_whose_name_only_sorts_after_the_candidate_is_not_a_match()
    {
        // ListHostedZonesByName(dnsname=b.test) starts at the next zone in order (bb.test): not an exact match.
        await using var route53 = await EmulatedRoute53.StartAsync();
        route53.Emulator.AddHostedZone("bb.test");
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

        await Assert.ThrowsAsync<HostedZoneNotFoundException>(() => resolver.ResolveAsync("_acme-challenge.b.test", null, default));
    }

    [Fact]
    public async Task Private_zones_are_ignored_unless_configured()
    {
        await using var route53 = await EmulatedRoute53.StartAsync();
        var publicZone = route53.Emulator.AddHostedZone("example.test");
        var privateZone = route53.Emulator.AddHostedZone("internal.example.test", isPrivate: true);

        var publicOnly = new HostedZoneResolver(route53.Client, privateZones: false);
        Assert.Equal(publicZone, (await publicOnly.ResolveAsync("_acme-challenge.internal.example.test", null, default)).Id);

        var withPrivate = new HostedZoneResolver(route53.Client, privateZones: true);
        Assert.Equal(privateZone, (await withPrivate.ResolveAsync("_acme-challenge.internal.example.test", null, default)).Id);
    }

    [Fact]
    public async Task A_public_zone_sharing_its_name_with_a_private_one_is_found()
    {
        await using var route53 = await EmulatedRoute53.StartAsync();
        route53.Emulator.AddHostedZone("split.test", isPrivate: true);
        var publicZone = route53.Emulator.AddHostedZone("split.test");
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

        Assert.Equal(publicZone, (await resolver.ResolveAsync("_acme-challenge.split.test", null, default)).Id);
    }

    [Fact]
    public async Task No_match_lists_every_name_tried()
    {
        await using var route53 = await EmulatedRoute53.StartAsync();
        route53.Emulator.AddHostedZone("other.test");
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

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
        await using var route53 = await EmulatedRoute53.StartAsync();
        route53.Emulator.AddHostedZone("example.test");
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

        await resolver.ResolveAsync("_acme-challenge.example.test", null, default);
        var afterFirst = route53.ListHostedZonesByNameRequests().Count;
        await resolver.ResolveAsync("_acme-challenge.example.test.", null, default);
        await resolver.ResolveAsync("_ACME-CHALLENGE.example.test", null, default);

        Assert.Equal(afterFirst, route53.ListHostedZonesByNameRequests().Count);
        await new HostedZoneResolver(route53.Client, privateZones: false).ResolveAsync("_acme-challenge.example.test", null, default);
        Assert.Equal(2 * afterFirst, route53.ListHostedZonesByNameRequests().Count);
    }

    [Fact]
    public async Task An_override_id_is_used_after_checking_the_name_is_inside_it()
    {
        await using var route53 = await EmulatedRoute53.StartAsync();
        route53.Emulator.AddHostedZone("example.test");
        var delegated = route53.Emulator.AddHostedZone("validation.test", isPrivate: true);
        var resolver = new HostedZoneResolver(route53.Client, privateZones: false);

        var zone = await resolver.ResolveAsync("_acme-challenge.example.test.validation.test", "/hostedzone/" + delegated, default);
        Assert.Equal(delegated, zone.Id);
        Assert.Empty(route53.ListHostedZonesByNameRequests());

        var error = await Assert.ThrowsAsync<HostedZoneMismatchException>(
            () => resolver.ResolveAsync("_acme-challenge.example.test", delegated, default));
        Assert.Contains("validation.test.", error.Message, StringComparison.Ordinal);
        Assert.Contains(delegated, error.Message, StringComparison.Ordinal);
    }
}
