using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

public sealed class CertbotAdoptionTests : IDisposable
{
    private const string Name = "example.com";
    private readonly StoreTestDirectory _dir = new();
    private readonly TestCertificates _ca = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Existing_certbot_lineage_is_adopted_not_clobbered(bool exchangeUnsupported)
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 3);
        var certbotFiles = CertbotFiles();
        var certbotSerial = StoreLayout.LiveSerial(_dir.Root, Name);
        var store = _dir.Store(fileSystem: new FaultInjectingFileSystem { ExchangeUnsupported = exchangeUnsupported });

        Assert.Equal(3, store.GetLive(Name)!.Version);
        Assert.True(store.GetLive(Name)!.IsCertbotVersion);

        var stored = await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);

        Assert.Equal(4, stored.Version);
        Assert.Equal(stored.Serial, StoreLayout.LiveSerial(_dir.Root, Name));
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, Name));
        // certbot's live directory became version 3's directory, links untouched.
        Assert.Equal("../../archive/example.com/cert3.pem", new FileInfo(Path.Combine(_dir.Root, "live", ".example.com.v3", "cert.pem")).LinkTarget);
        Assert.Equal(certbotFiles, CertbotFiles());
        Assert.True(File.Exists(Path.Combine(_dir.Root, "renewal", Name + ".conf")));
        Assert.Empty(StoreLayout.Leftovers(_dir.Root));

        var back = await store.SwitchLiveAsync(Name, 3, CancellationToken.None);
        Assert.Equal(certbotSerial, back.Serial);
        Assert.True(back.IsCertbotVersion);
        Assert.Equal(certbotSerial, StoreLayout.LiveSerial(_dir.Root, Name));
    }

    [Fact]
    public async Task Pruning_never_removes_certbot_versions()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 2);
        var certbotFiles = CertbotFiles();
        var store = _dir.Store(new CertificateStoreOptions { KeepVersions = 1 });

        for (var i = 0; i < 4; i++)
        {
            await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        }

        Assert.Equal(certbotFiles, CertbotFiles());
        Assert.Equal([1, 2, 6], store.GetVersions(Name).Select(v => v.Version));
        Assert.True(Directory.Exists(Path.Combine(_dir.Root, "live", ".example.com.v2")));
        Assert.Equal(6, store.GetLive(Name)!.Version);
    }

    [Fact]
    public async Task Rolling_back_to_an_older_certbot_version_builds_its_directory()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 2);
        var store = _dir.Store();
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);

        var first = await store.SwitchLiveAsync(Name, 1, CancellationToken.None);

        Assert.Equal(1, first.Version);
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, Name));
        Assert.Equal(first.Serial, StoreLayout.LiveSerial(_dir.Root, Name));
    }

    [Fact]
    public async Task Recovery_leaves_an_untouched_certbot_lineage_alone()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 2);
        File.WriteAllText(Path.Combine(_dir.Root, "live", "README"), "certbot's readme");
        var before = StoreLayout.Snapshot(Path.Combine(_dir.Root, "archive"));

        var results = await _dir.Store().RecoverAsync(CancellationToken.None);

        Assert.Equal(RecoveryOutcome.Clean, Assert.Single(results).Outcome);
        Assert.Equal(before, StoreLayout.Snapshot(Path.Combine(_dir.Root, "archive")));
        Assert.True(Directory.Exists(Path.Combine(_dir.Root, "live", Name)));
        Assert.Null(new FileInfo(Path.Combine(_dir.Root, "live", Name)).LinkTarget);
    }

    private SortedDictionary<string, string> CertbotFiles() => StoreLayout.Snapshot(Path.Combine(_dir.Root, "archive", Name)) is var all
        ? new SortedDictionary<string, string>(all.Where(kv => kv.Key.EndsWith("1.pem", StringComparison.Ordinal) || kv.Key.EndsWith("2.pem", StringComparison.Ordinal) || kv.Key.EndsWith("3.pem", StringComparison.Ordinal)).ToDictionary(), StringComparer.Ordinal)
        : [];

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }
}
