using System.Net;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Aws;

/// <summary>Our Route53 client against moto, an independent implementation of the Route53 wire protocol.</summary>
public sealed class Route53ClientMotoTests : IClassFixture<MotoFixture>, IDisposable
{
    private readonly MotoFixture _moto;
    private readonly ITestOutputHelper _output;
    private readonly Route53Client _client;

    public Route53ClientMotoTests(MotoFixture moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;

        // A private limiter: these tests must not queue behind (or slow down) other tests' AWS traffic.
        _client = Route53Client.Create(moto.Server.Endpoint, global::CertDaemon.Testbed.Moto.MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000));
    }

    public void Dispose()
    {
        _client.Dispose();

        // Shown by xunit for a failing test: what moto logged while this class ran.
        _output.WriteLine("moto_server output:\n" + _moto.Server.Output);
    }

    private static string UniqueZoneName() => $"z{Guid.NewGuid():N}.example.test.";

    [Fact]
    public async Task ListHostedZonesByName_finds_the_zone_by_exact_name()
    {
        var name = UniqueZoneName();
        var id = await _moto.Server.CreateHostedZoneAsync(name);

        var zones = await _client.ListHostedZonesByNameAsync(name, 1, CancellationToken.None);

        var zone = Assert.Single(zones);
        Assert.Equal(id, zone.Id);
        Assert.DoesNotContain("/hostedzone/", zone.Id, StringComparison.Ordinal);
        Assert.Equal(name, zone.Name);
        Assert.False(zone.PrivateZone);
        Assert.True(zone.ResourceRecordSetCount >= 2, "a new zone has SOA and NS");
    }

    [Fact]
    public async Task ListHostedZonesByName_for_a_name_that_is_no_zone_returns_no_exact_match()
    {
        await _moto.Server.CreateHostedZoneAsync(UniqueZoneName());
        var missing = $"missing-{Guid.NewGuid():N}.nowhere.test.";

        var zones = await _client.ListHostedZonesByNameAsync(missing, 1, CancellationToken.None);

        // AWS lists the next zones in order, moto nothing: either way no zone carries the asked name.
        Assert.DoesNotContain(zones, z => z.Name == missing);
    }

    [Fact]
    public async Task GetHostedZone_returns_the_delegation_name_servers()
    {
        var name = UniqueZoneName();
        var id = await _moto.Server.CreateHostedZoneAsync(name);

        var details = await _client.GetHostedZoneAsync("/hostedzone/" + id, CancellationToken.None);

        Assert.Equal(id, details.Zone.Id);
        Assert.Equal(name, details.Zone.Name);
        Assert.Equal(4, details.NameServers.Count);
        Assert.All(details.NameServers, ns => Assert.Contains("awsdns", ns, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TXT_record_set_create_upsert_delete_round_trips_quoted_values()
    {
        var zone = UniqueZoneName();
        var id = await _moto.Server.CreateHostedZoneAsync(zone);
        var name = "_acme-challenge." + zone;
        var first = new ResourceRecordSet(name, "TXT", 60, ["\"token-one\""]);

        var created = await _client.ChangeResourceRecordSetsAsync(id, new ChangeBatch([new(ChangeAction.Create, first)], "certdaemon test"), CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.Id));
        Assert.DoesNotContain("/change/", created.Id, StringComparison.Ordinal);
        Assert.Equal(Assert.Single(await _client.GetRecordSetsForNameAsync(id, name, "TXT", CancellationToken.None)), first, RecordSetComparer.Instance);

        var both = new ResourceRecordSet(name, "TXT", 60, ["\"token-one\"", "\"token two with spaces\""]);
        await _client.ChangeResourceRecordSetsAsync(id, new ChangeBatch([new(ChangeAction.Upsert, both)]), CancellationToken.None);
        var afterUpsert = Assert.Single(await _client.GetRecordSetsForNameAsync(id, name, "TXT", CancellationToken.None));
        Assert.Equal(both.Values.Order(StringComparer.Ordinal), afterUpsert.Values.Order(StringComparer.Ordinal));
        Assert.Equal(60, afterUpsert.Ttl);

        await _client.ChangeResourceRecordSetsAsync(id, new ChangeBatch([new(ChangeAction.Delete, both)]), CancellationToken.None);
        Assert.Empty(await _client.GetRecordSetsForNameAsync(id, name, "TXT", CancellationToken.None));
    }

    [Fact]
    public async Task ListResourceRecordSets_pages_through_more_sets_than_maxitems()
    {
        var zone = UniqueZoneName();
        var id = await _moto.Server.CreateHostedZoneAsync(zone);
        var names = Enumerable.Range(0, 7).Select(i => $"r{i}.{zone}").ToList();
        await _client.ChangeResourceRecordSetsAsync(
            id,
            new ChangeBatch(names.Select(n => new ResourceRecordSetChange(ChangeAction.Create, new ResourceRecordSet(n, "TXT", 30, ["\"v\""]))).ToList()),
            CancellationToken.None);

        var firstPage = await _client.ListResourceRecordSetsAsync(id, null, null, 3, CancellationToken.None);
        Assert.Equal(3, firstPage.RecordSets.Count);
        Assert.True(firstPage.IsTruncated);
        Assert.NotNull(firstPage.NextRecordName);
        Assert.NotNull(firstPage.NextRecordType);

        var all = new List<ResourceRecordSet>();
        await foreach (var set in _client.ListAllResourceRecordSetsAsync(id, pageSize: 3))
        {
            all.Add(set);
        }

        // 7 TXT + the zone's own SOA and NS, each exactly once across pages.
        Assert.Equal(9, all.Count);
        Assert.Equal(all.Count, all.Select(s => (s.Name, s.Type)).Distinct().Count());
        Assert.All(names, n => Assert.Contains(all, s => s.Name == n && s.Type == "TXT"));
        Assert.Contains(all, s => s.Type == "SOA");
    }

    [Fact]
    public async Task GetChange_reports_the_submitted_change()
    {
        var zone = UniqueZoneName();
        var id = await _moto.Server.CreateHostedZoneAsync(zone);
        var submitted = await _client.ChangeResourceRecordSetsAsync(
            id, new ChangeBatch([new(ChangeAction.Create, new ResourceRecordSet("c." + zone, "TXT", 60, ["\"x\""]))]), CancellationToken.None);

        var change = await _client.GetChangeAsync("/change/" + submitted.Id, CancellationToken.None);

        Assert.Equal(submitted.Id, change.Id);
        Assert.Equal(ChangeStatus.InSync, change.Status);
        Assert.True(change.SubmittedAt > DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task Unknown_zone_maps_to_NoSuchHostedZone_with_message_and_request_id()
    {
        var ex = await Assert.ThrowsAsync<AwsServiceException>(() => _client.GetHostedZoneAsync("ZDOESNOTEXIST", CancellationToken.None));

        Assert.Equal("NoSuchHostedZone", ex.Code);
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("route53", ex.Service);
        Assert.Equal("GetHostedZone", ex.Operation);
        Assert.Contains("ZDOESNOTEXIST", ex.ServiceMessage, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(ex.RequestId));
        Assert.False(ex.IsRetryable);
        Assert.Contains("NoSuchHostedZone", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_an_existing_record_maps_to_InvalidChangeBatch_and_is_not_retried()
    {
        var zone = UniqueZoneName();
        var id = await _moto.Server.CreateHostedZoneAsync(zone);
        var set = new ResourceRecordSet("dup." + zone, "TXT", 60, ["\"a\""]);
        await _client.ChangeResourceRecordSetsAsync(id, new ChangeBatch([new(ChangeAction.Create, set)]), CancellationToken.None);
        var before = CountRequests(_moto.Server.Output, "/rrset/");

        var ex = await Assert.ThrowsAsync<AwsServiceException>(
            () => _client.ChangeResourceRecordSetsAsync(id, new ChangeBatch([new(ChangeAction.Create, set)]), CancellationToken.None));

        Assert.Equal("InvalidChangeBatch", ex.Code);
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.False(string.IsNullOrEmpty(ex.ServiceMessage));
        Assert.False(ex.IsRetryable);

        // moto logs one access line per request: exactly one more POST, so the rejection was not repeated.
        Assert.Equal(before + 1, CountRequests(_moto.Server.Output, "/rrset/"));
    }

    private static int CountRequests(string log, string pathPart) =>
        log.Split('\n').Count(line => line.Contains("POST", StringComparison.Ordinal) && line.Contains(pathPart, StringComparison.Ordinal));

    private sealed class RecordSetComparer : IEqualityComparer<ResourceRecordSet>
    {
        public static readonly RecordSetComparer Instance = new();

        public bool Equals(ResourceRecordSet? x, ResourceRecordSet? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Type == y.Type && x.Ttl == y.Ttl && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(ResourceRecordSet obj) => HashCode.Combine(obj.Name, obj.Type);
    }
}
