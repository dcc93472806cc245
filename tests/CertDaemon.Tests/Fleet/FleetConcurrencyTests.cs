using System.Text;
using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Fleet;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// The compare-and-swap and the lease under true concurrency, on a store whose conditional writes are atomic (as S3's
/// are; moto's are not): of many racing writers exactly one wins, and the losers learn it.
/// </summary>
public sealed class FleetConcurrencyTests
{
    private static readonly FleetOptions Options = new() { Bucket = "fleet", LeaseDuration = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Of_twenty_instances_racing_for_a_lease_exactly_one_gets_it()
    {
        var store = new AtomicMemoryObjectStore { WriteDelay = TimeSpan.FromMilliseconds(1) };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch + TimeSpan.FromDays(20000));
        var instances = Enumerable.Range(0, 20).Select(i => Leases(store, time, "instance-" + i)).ToList();
        using var start = new SemaphoreSlim(0);
        var attempts = instances.Select(async leases =>
        {
            await start.WaitAsync();
            return await leases.TryAcquireAsync("site", "renewal", CancellationToken.None);
        }).ToList();
        start.Release(attempts.Count);
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results.OfType<FleetLeaseAttempt.Acquired>());
        Assert.Equal(19, results.OfType<FleetLeaseAttempt.Busy>().Count());
        await winner.Lease.DisposeAsync();
    }

    [Fact]
    public async Task Of_twenty_writers_holding_the_same_manifest_exactly_one_replaces_it_and_the_others_are_refused()
    {
        var store = new AtomicMemoryObjectStore { WriteDelay = TimeSpan.FromMilliseconds(1) };
        var manifests = new FleetManifestStore(store);
        var first = Manifest(1, "01");
        var etag = await manifests.TryWriteAsync(first, null, CancellationToken.None);
        Assert.NotNull(etag);
        Assert.Null(await manifests.TryWriteAsync(first, null, CancellationToken.None)); // create only once

        using var start = new SemaphoreSlim(0);
        var writers = Enumerable.Range(0, 20).Select(async i =>
        {
            await start.WaitAsync();
            return (Serial: i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture), ETag: await manifests.TryWriteAsync(Manifest(2, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)), etag, CancellationToken.None));
        }).ToList();
        start.Release(writers.Count);
        var results = await Task.WhenAll(writers);

        var won = Assert.Single(results, r => r.ETag is not null);
        var current = Assert.IsType<FleetManifestRead.Current>(await manifests.ReadAsync("site", null, CancellationToken.None));
        Assert.Equal(won.Serial, current.Manifest.Serial);
        Assert.Equal(won.ETag, current.ETag);
    }

    [Fact]
    public async Task A_holder_that_cannot_extend_loses_its_lease_before_another_may_take_it_and_the_taker_inherits_its_journal()
    {
        var store = new AtomicMemoryObjectStore();
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch + TimeSpan.FromDays(20000));
        var a = Leases(store, time, "a");
        var b = Leases(store, time, "b");
        var held = Assert.IsType<FleetLeaseAttempt.Acquired>(await a.TryAcquireAsync("site", "renewal", CancellationToken.None)).Lease;
        var record = new ChallengeJournalEntry("Z1", "example.test", "_acme-challenge.example.test", "_acme-challenge.example.test", "token-value", time.GetUtcNow());
        await held.RecordChallengesAsync([record], CancellationToken.None);

        // Extensions keep it alive past the first expiry.
        for (var i = 0; i < 4; i++)
        {
            time.Advance(FleetLeaseRules.ExtendEvery(Options.LeaseDuration));
            await Eventually(() => store.Puts >= 3 + i);
        }

        Assert.False(held.Lost.IsCancellationRequested);
        Assert.IsType<FleetLeaseAttempt.Busy>(await b.TryAcquireAsync("site", "renewal", CancellationToken.None));

        // The store goes away: the holder gives up at its expiry; the other waits for expiry + margin.
        store.Unreachable = true;
        for (var i = 0; i < 4 && !held.Lost.IsCancellationRequested; i++)
        {
            time.Advance(FleetLeaseRules.ExtendEvery(Options.LeaseDuration));
            await Task.Delay(50);
        }

        Assert.True(held.Lost.IsCancellationRequested);
        store.Unreachable = false;
        Assert.IsType<FleetLeaseAttempt.Busy>(await b.TryAcquireAsync("site", "renewal", CancellationToken.None)); // not expired + margin yet
        time.Advance(Options.LeaseDuration);
        var taken = Assert.IsType<FleetLeaseAttempt.Acquired>(await b.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Equal("a", taken.Abandoned!.Holder);
        Assert.Equal("token-value", Assert.Single(taken.Abandoned.Challenges).Value);
        Assert.Equal("token-value", Assert.Single(taken.Lease.Challenges).Value);
        await taken.Lease.DisposeAsync();
        await held.DisposeAsync();
    }

    private static FleetLeases Leases(IFleetObjectStore store, TimeProvider time, string id) =>
        new(store, Options, new FleetInstance(id), time, new CapturingLogger<FleetLeases>());

    private static FleetManifest Manifest(int version, string serial) => new(
        FleetManifest.CurrentSchemaVersion, "site", version, serial, ["example.test"], "ec256", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(90),
        null, new Uri("https://ca.test/dir"), DateTimeOffset.UnixEpoch, "writer", new Dictionary<string, FleetFile> { ["cert"] = new("k", Convert.ToHexStringLower(Encoding.UTF8.GetBytes(serial))) },
        new Dictionary<string, FleetAcmImport>());

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
