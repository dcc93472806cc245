using System.Text;
using CertDaemon.Configuration;
using CertDaemon.Fleet;
using CertDaemon.Testbed.Fleet;
using CertDaemon.Tests.Aws;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// Our S3 store against moto's S3, an independent implementation of the conditional-request protocol: creates
/// happen once, a replace needs the ETag that was read, a conditional read costs no body when nothing changed, and a
/// stale manifest writer is refused and re-reads.
/// </summary>
public sealed class S3FleetStoreMotoTests(MotoFixture moto) : IClassFixture<MotoFixture>
{
    [Fact]
    public async Task Conditional_writes_and_reads_follow_s3_semantics()
    {
        using var store = await CreateStoreAsync();
        var created = Assert.IsType<FleetWrite.Written>(await store.PutAsync("k.json", Encoding.UTF8.GetBytes("{\"a\":1}"), FleetWriteCondition.Absent, secret: false, CancellationToken.None));
        Assert.IsType<FleetWrite.ConditionFailed>(await store.PutAsync("k.json", Encoding.UTF8.GetBytes("{\"a\":2}"), FleetWriteCondition.Absent, secret: false, CancellationToken.None));

        var replaced = Assert.IsType<FleetWrite.Written>(await store.PutAsync("k.json", Encoding.UTF8.GetBytes("{\"a\":3}"), FleetWriteCondition.Matches(created.ETag), secret: false, CancellationToken.None));
        Assert.NotEqual(created.ETag, replaced.ETag);
        Assert.IsType<FleetWrite.ConditionFailed>(await store.PutAsync("k.json", Encoding.UTF8.GetBytes("{\"a\":4}"), FleetWriteCondition.Matches(created.ETag), secret: false, CancellationToken.None));

        var read = Assert.IsType<FleetRead.Found>(await store.GetAsync("k.json", null, CancellationToken.None));
        Assert.Equal("{\"a\":3}", Encoding.UTF8.GetString(read.Content));
        Assert.Equal(replaced.ETag, read.ETag);
        Assert.IsType<FleetRead.NotModified>(await store.GetAsync("k.json", read.ETag, CancellationToken.None));
        Assert.IsType<FleetRead.Found>(await store.GetAsync("k.json", created.ETag, CancellationToken.None));
        Assert.IsType<FleetRead.Missing>(await store.GetAsync("absent.json", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_writers_manifest_update_is_refused_and_it_rereads_the_newer_version()
    {
        using var store = await CreateStoreAsync();
        var manifests = new FleetManifestStore(store);
        var v1 = Manifest(1, "aa");
        Assert.NotNull(await manifests.TryWriteAsync(v1, null, CancellationToken.None));

        // A and B read version 1; B publishes version 2 first; A, still holding version 1's ETag, tries to.
        var readByA = Assert.IsType<FleetManifestRead.Current>(await manifests.ReadAsync("site", null, CancellationToken.None));
        var readByB = Assert.IsType<FleetManifestRead.Current>(await manifests.ReadAsync("site", null, CancellationToken.None));
        var bWrote = await manifests.TryWriteAsync(Manifest(2, "bb"), readByB.ETag, CancellationToken.None);
        Assert.NotNull(bWrote);
        Assert.Null(await manifests.TryWriteAsync(Manifest(2, "cc"), readByA.ETag, CancellationToken.None));

        var reread = Assert.IsType<FleetManifestRead.Current>(await manifests.ReadAsync("site", readByA.ETag, CancellationToken.None));
        Assert.Equal("bb", reread.Manifest.Serial);
        Assert.Equal(bWrote, reread.ETag);
        Assert.IsType<FleetManifestRead.Unchanged>(await manifests.ReadAsync("site", bWrote, CancellationToken.None));
    }

    [Fact]
    public async Task Leases_over_moto_exclude_a_second_holder_until_released()
    {
        using var store = await CreateStoreAsync();
        var options = new FleetOptions { Bucket = "unused", LeaseDuration = TimeSpan.FromSeconds(30) };
        var a = new FleetLeases(store, options, new FleetInstance("a"), TimeProvider.System, new CapturingLogger<FleetLeases>());
        var b = new FleetLeases(store, options, new FleetInstance("b"), TimeProvider.System, new CapturingLogger<FleetLeases>());
        var held = Assert.IsType<FleetLeaseAttempt.Acquired>(await a.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Null(held.Abandoned);
        var busy = Assert.IsType<FleetLeaseAttempt.Busy>(await b.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Equal("a", busy.Holder);

        await held.Lease.DisposeAsync();
        var second = Assert.IsType<FleetLeaseAttempt.Acquired>(await b.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Null(second.Abandoned);
        await second.Lease.DisposeAsync();
    }

    [Fact]
    public async Task Private_keys_are_written_with_sse_kms_when_a_key_is_configured_and_never_into_the_manifest()
    {
        var bucket = await S3Buckets.CreateAsync(moto.Server.Endpoint);
        var options = new FleetOptions { Bucket = bucket, Prefix = "fleet/", KmsKeyId = "alias/certdaemon-test" };
        using var store = new S3FleetObjectStore(S3Buckets.Client(moto.Server.Endpoint), options);
        Assert.IsType<FleetWrite.Written>(await store.PutAsync("secret.pem", Encoding.UTF8.GetBytes("key"), FleetWriteCondition.None, secret: true, CancellationToken.None));
        Assert.IsType<FleetWrite.Written>(await store.PutAsync("public.pem", Encoding.UTF8.GetBytes("cert"), FleetWriteCondition.None, secret: false, CancellationToken.None));

        using var client = S3Buckets.Client(moto.Server.Endpoint);
        var secret = await client.GetObjectMetadataAsync(bucket, "fleet/secret.pem");
        Assert.Equal("aws:kms", secret.ServerSideEncryptionMethod?.Value);
        Assert.Contains("alias/certdaemon-test", secret.ServerSideEncryptionKeyManagementServiceKeyId, StringComparison.Ordinal);
        var plain = await client.GetObjectMetadataAsync(bucket, "fleet/public.pem");
        Assert.NotEqual("aws:kms", plain.ServerSideEncryptionMethod?.Value);
    }

    [Fact]
    public async Task Publishing_keeps_the_newest_versions_files_and_deletes_older_ones_never_the_current()
    {
        var bucket = await S3Buckets.CreateAsync(moto.Server.Endpoint);
        using var store = new S3FleetObjectStore(S3Buckets.Client(moto.Server.Endpoint), new FleetOptions { Bucket = bucket, Prefix = "fleet/" });
        var manifests = new FleetManifestStore(store, keepVersions: 3);
        FleetManifest? previous = null;
        string? etag = null;
        for (var version = 1; version <= 6; version++)
        {
            var serial = version.ToString("x2", System.Globalization.CultureInfo.InvariantCulture);
            var files = new Dictionary<string, FleetFile>(StringComparer.Ordinal);
            foreach (var role in new[] { FleetManifest.CertificateFile, FleetManifest.ChainFile, FleetManifest.PrivateKeyFile })
            {
                var key = FleetKeys.VersionFile("site", version, serial, role);
                await store.PutAsync(key, Encoding.UTF8.GetBytes(role + serial), FleetWriteCondition.None, secret: false, CancellationToken.None);
                files[role] = new FleetFile(key, "");
            }

            var published = await manifests.TryPublishAsync(Manifest(version, serial) with { Files = files }, previous, etag, CancellationToken.None);
            var (written, writtenETag, retired) = Assert.NotNull(published);
            await manifests.DeleteVersionsAsync(written, retired, CancellationToken.None);
            Assert.Equal(version > 3 ? [version - 3] : [], retired.Select(v => v.Version));
            (previous, etag) = (written, writtenETag);
        }

        using var client = S3Buckets.Client(moto.Server.Endpoint);
        var listed = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket, Prefix = "fleet/certificates/site/" });
        var folders = listed.S3Objects.Select(o => o.Key.Split('/')[3]).Where(f => f != "manifest.json").Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["4-04", "5-05", "6-06"], folders);
        Assert.Equal(9, listed.S3Objects.Count(o => !o.Key.EndsWith("manifest.json", StringComparison.Ordinal)));

        var current = Assert.IsType<FleetManifestRead.Current>(await manifests.ReadAsync("site", null, CancellationToken.None)).Manifest;
        Assert.Equal("06", current.Serial);
        Assert.Equal([5, 4], current.Previous!.Select(v => v.Version));
    }

    private async Task<S3FleetObjectStore> CreateStoreAsync()
    {
        var bucket = await S3Buckets.CreateAsync(moto.Server.Endpoint);
        return new S3FleetObjectStore(S3Buckets.Client(moto.Server.Endpoint), new FleetOptions { Bucket = bucket, Prefix = "fleet/" });
    }

    private static FleetManifest Manifest(int version, string serial) => new(
        FleetManifest.CurrentSchemaVersion, "site", version, serial, ["example.test"], "ec256", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(90),
        null, new Uri("https://ca.test/dir"), DateTimeOffset.UnixEpoch, "writer", new Dictionary<string, FleetFile>(), new Dictionary<string, FleetAcmImport>());
}
