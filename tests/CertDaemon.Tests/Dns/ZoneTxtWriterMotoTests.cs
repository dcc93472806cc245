using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using CertDaemon.Dns;
using CertDaemon.Dns.Route53;
using CertDaemon.Tests.Aws;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Dns;

/// <summary>
/// The compare-and-swap writes (CREATE of a new set; DELETE of the set exactly as read + CREATE of its new form in
/// one batch; DELETE of a set left with only ours) against moto, an independent implementation of Route53: the wire
/// form is accepted and two writers that share no lock (two hosts) add and remove their values on one name without
/// touching each other's.
/// </summary>
/// <remarks>
/// moto is no referee of the conflicts themselves: it checks a DELETE against every value set ever written (not the
/// current one) and accepts a CREATE of an existing set unless the identical change was made before. It also checks a
/// CREATE against the zone as it was before the batch, so it refuses DELETE + CREATE of one set when that very CREATE
/// was made once before (Route53 applies a batch's changes in order and accepts it); the unrelated set below is
/// therefore written with UPSERT, which our swap back to it never repeats. The conflicts
/// are shown against our emulator (<see cref="ZoneTxtCompareAndSwapTests"/>), which refuses them as Route53 does.
/// </remarks>
public sealed class ZoneTxtWriterMotoTests : IClassFixture<MotoFixture>, IDisposable
{
    private readonly MotoFixture _moto;
    private readonly ITestOutputHelper _output;
    private readonly Route53Client _client;

    public ZoneTxtWriterMotoTests(MotoFixture moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;
        _client = Route53Client.Create(moto.Server.Endpoint, global::CertDaemon.Testbed.Moto.MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000));
    }

    public void Dispose()
    {
        _client.Dispose();
        _output.WriteLine("moto_server output:\n" + _moto.Server.Output);
    }

    [Fact]
    public async Task Two_writers_sharing_no_lock_add_and_remove_their_values_on_one_name_and_an_unrelated_value_keeps_its_ttl()
    {
        var zone = $"z{Guid.NewGuid():N}.example.test.";
        var id = await _moto.Server.CreateHostedZoneAsync(zone);
        var name = "_acme-challenge." + zone;
        var hostA = Writer();
        var hostB = Writer();
        var a = new ChallengeJournalEntry(id, zone, name, name, "value-of-a", DateTimeOffset.UnixEpoch);
        var b = new ChallengeJournalEntry(id, zone, name, name, "value-of-b", DateTimeOffset.UnixEpoch);

        await hostA.PublishAsync(id, zone, [a], CancellationToken.None);
        Assert.Equal(["\"value-of-a\""], await ValuesAsync(id, name));

        await hostB.PublishAsync(id, zone, [b], CancellationToken.None);
        Assert.Equal(["\"value-of-a\"", "\"value-of-b\""], await ValuesAsync(id, name));

        await hostA.RemoveAsync(id, zone, [a], CancellationToken.None);
        Assert.Equal(["\"value-of-b\""], await ValuesAsync(id, name));

        await hostB.RemoveAsync(id, zone, [b], CancellationToken.None);
        Assert.Empty(await _client.GetRecordSetsForNameAsync(id, name, "TXT", CancellationToken.None));

        // A set someone else owns (written with UPSERT: see the remarks): our value comes and goes, theirs stays with its TTL.
        await _client.ChangeResourceRecordSetsAsync(id, new ChangeBatch([new(ChangeAction.Upsert, new ResourceRecordSet(name, "TXT", 300, ["\"site-verification\""]))]), CancellationToken.None);
        await hostA.PublishAsync(id, zone, [a], CancellationToken.None);
        await hostA.RemoveAsync(id, zone, [a], CancellationToken.None);
        var left = Assert.Single(await _client.GetRecordSetsForNameAsync(id, name, "TXT", CancellationToken.None));
        Assert.Equal(300, left.Ttl);
        Assert.Equal(["\"site-verification\""], left.Values);
    }

    private ZoneTxtWriter Writer() =>
        new(_client, TxtRecordSetMerge.DefaultTtl, Route53ChangeLimits.Default, zoneLocks: null, new ZoneRecordSetCounts(), TimeProvider.System, new CapturingLogger<ZoneTxtWriter>());

    private async Task<List<string>> ValuesAsync(string zoneId, string name) =>
        [.. Assert.Single(await _client.GetRecordSetsForNameAsync(zoneId, name, "TXT", CancellationToken.None)).Values.Order(StringComparer.Ordinal)];
}
