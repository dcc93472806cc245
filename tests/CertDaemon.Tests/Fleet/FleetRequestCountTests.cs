using CertDaemon.Kernel;
using CertDaemon.Fleet;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Fleet;

/// <summary>What a check costs in S3 requests when nothing changed: one conditional GET per certificate, no body, no write.</summary>
public sealed class FleetRequestCountTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("certdaemon-fleet-count-").FullName;

    [Fact]
    public async Task A_check_with_nothing_changed_costs_one_conditional_get_per_certificate()
    {
        var store = new AtomicMemoryObjectStore();
        var manifests = new FleetManifestStore(store);
        var manifest = new FleetManifest(
            FleetManifest.CurrentSchemaVersion, "site", 1, "0a1b", ["example.test"], "ec256", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(90),
            null, new Uri("https://ca.test/dir"), DateTimeOffset.UnixEpoch, "other", new Dictionary<string, FleetFile>(), new Dictionary<string, FleetAcmImport>());
        Assert.NotNull(await manifests.TryWriteAsync(manifest, null, CancellationToken.None));
        var states = new CertificateStateStore(_state, TimeProvider.System, new CapturingLogger<CertificateStateStore>());
        await states.SaveAsync(new CertificateState
        {
            Name = "site",
            Current = new CurrentCertificate(1, "0a1b", ["example.test"], "ec256", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(90), null, new Uri("https://ca.test/dir"), DateTimeOffset.UnixEpoch),
        }, CancellationToken.None);

        // The lifecycle is never reached when the local version is the fleet's.
        var synchronizer = new FleetSynchronizer(manifests, new FleetManifestCache(), null!, null!, states, TimeProvider.System, new CapturingLogger<FleetSynchronizer>());
        var certificate = new ManagedCertificate("site", ["example.test"], KeyType.Ec256, null, null, null, null, Nginx: true, Acm: null, DeployHooks: []);
        var (gets, puts) = (store.Gets, store.Puts);

        Assert.IsType<FleetSyncResult.Current>(await synchronizer.SyncAsync(certificate, CancellationToken.None)); // first check: a full read
        Assert.Equal((gets + 1, puts), (store.Gets, store.Puts));
        for (var check = 0; check < 5; check++)
        {
            Assert.IsType<FleetSyncResult.Current>(await synchronizer.SyncAsync(certificate, CancellationToken.None));
        }

        Assert.Equal((gets + 6, puts), (store.Gets, store.Puts));
        Assert.Equal(5, store.NotModifiedAnswers);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
