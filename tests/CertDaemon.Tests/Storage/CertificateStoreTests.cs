using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

public sealed class CertificateStoreTests : IDisposable
{
    private const UnixFileMode Rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly StoreTestDirectory _dir = new();
    private readonly TestCertificates _ca = new();

    [Fact]
    public async Task First_commit_creates_certbot_layout_behind_one_live_link()
    {
        var material = _ca.Issue();
        var stored = await _dir.Store().CommitAsync("example.com", material, CancellationToken.None);

        Assert.Equal(1, stored.Version);
        Assert.False(stored.IsCertbotVersion);
        Assert.Equal(".example.com.v1", new FileInfo(Path.Combine(_dir.Root, "live", "example.com")).LinkTarget);
        Assert.Equal("../../archive/example.com/privkey1.pem", new FileInfo(_dir.Live("example.com", "privkey")).LinkTarget);
        Assert.Equal(material.NormalizedCertificatePem, await File.ReadAllTextAsync(_dir.Live("example.com", "cert")));
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, "example.com"));
        Assert.Empty(StoreLayout.Leftovers(_dir.Root));
        Assert.Equal(stored.Serial, _dir.Store().GetLive("example.com")!.Serial);
    }

    [Fact]
    public async Task Second_commit_switches_live_and_keeps_previous_version()
    {
        var store = _dir.Store();
        await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);
        var second = await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);

        Assert.Equal(2, second.Version);
        Assert.Equal(second.Serial, StoreLayout.LiveSerial(_dir.Root, "example.com"));
        Assert.True(File.Exists(_dir.Archive("example.com", "cert", 1)));
        Assert.Equal([1, 2], store.GetVersions("example.com").Select(v => v.Version));
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, "example.com"));
    }

    [Fact]
    public async Task Key_of_another_certificate_is_refused_and_nothing_changes()
    {
        var store = _dir.Store();
        await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);
        var before = StoreLayout.Snapshot(_dir.Root);
        var good = _ca.Issue();
        var mismatched = good with { PrivateKeyPem = _ca.Issue().PrivateKeyPem };

        var error = await Assert.ThrowsAsync<CertificateMaterialException>(() => store.CommitAsync("example.com", mismatched, CancellationToken.None));

        Assert.Contains("does not belong to its certificate", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, StoreLayout.Snapshot(_dir.Root));
    }

    [Theory]
    [InlineData("garbage", null, null, "no PEM certificate")]
    [InlineData(null, "", null, "chain of 'example.com' holds no certificate")]
    [InlineData(null, "other-ca", null, "does not start with the certificate's issuer")]
    [InlineData(null, null, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "private key of 'example.com' does not parse")]
    public async Task Partial_or_inconsistent_sets_are_refused(string? cert, string? chain, string? key, string expected)
    {
        using var otherCa = new TestCertificates("Other CA");
        var good = _ca.Issue();
        var material = new CertificateMaterial(
            cert ?? good.CertificatePem,
            chain == "other-ca" ? otherCa.CaPem : chain ?? good.ChainPem,
            key ?? good.PrivateKeyPem);

        var error = await Assert.ThrowsAsync<CertificateMaterialException>(() => _dir.Store().CommitAsync("example.com", material, CancellationToken.None));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Root, "archive", "example.com")));
    }

    [Fact]
    public async Task Keys_are_0600_and_key_directories_0700()
    {
        await _dir.Store().CommitAsync("example.com", _ca.Issue(), CancellationToken.None);

        foreach (var directory in new[] { "archive", "live", ".certdaemon", "archive/example.com", "live/.example.com.v1" })
        {
            Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_dir.Root, directory)));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.Archive("example.com", "privkey", 1)));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(_dir.Archive("example.com", "cert", 1)));
    }

    [Fact]
    public async Task An_operator_s_0755_live_and_archive_directories_are_left_as_they_are()
    {
        const UnixFileMode mode0755 = Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var directory in new[] { "live", "archive" })
        {
            Directory.CreateDirectory(Path.Combine(_dir.Root, directory));
            File.SetUnixFileMode(Path.Combine(_dir.Root, directory), mode0755);
        }

        await _dir.Store().CommitAsync("example.com", _ca.Issue(), CancellationToken.None);

        Assert.Equal(mode0755, File.GetUnixFileMode(Path.Combine(_dir.Root, "live")));
        Assert.Equal(mode0755, File.GetUnixFileMode(Path.Combine(_dir.Root, "archive")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.Archive("example.com", "privkey", 1)));
    }

    [Fact]
    public async Task Old_versions_are_pruned_to_the_configured_count_but_never_the_live_one()
    {
        var store = _dir.Store(new CertificateStoreOptions { KeepVersions = 2 });
        for (var i = 0; i < 4; i++)
        {
            await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);
        }

        Assert.Equal([3, 4], store.GetVersions("example.com").Select(v => v.Version));
        Assert.False(Directory.Exists(Path.Combine(_dir.Root, "live", ".example.com.v1")));

        await store.SwitchLiveAsync("example.com", 3, CancellationToken.None);
        await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);
        await store.SwitchLiveAsync("example.com", 4, CancellationToken.None);
        await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);

        Assert.Equal([5, 6], store.GetVersions("example.com").Select(v => v.Version));
        Assert.Empty(StoreLayout.Leftovers(_dir.Root));
    }

    [Fact]
    public async Task Rollback_switches_live_back_to_the_previous_version()
    {
        var store = _dir.Store();
        var first = await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);
        await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);

        var rolledBack = await store.SwitchLiveAsync("example.com", first.Version, CancellationToken.None);

        Assert.Equal(first.Serial, rolledBack.Serial);
        Assert.Equal(first.Serial, StoreLayout.LiveSerial(_dir.Root, "example.com"));
        Assert.Equal(1, store.GetLive("example.com")!.Version);
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, "example.com"));
        await Assert.ThrowsAsync<CertificateMaterialException>(() => store.SwitchLiveAsync("example.com", 7, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("sp ace")]
    public async Task Unsafe_names_are_rejected(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _dir.Store().CommitAsync(name, _ca.Issue(), CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Root));
    }

    [Fact]
    public async Task Concurrent_commits_of_one_name_are_serialised()
    {
        var store = _dir.Store();
        var materials = Enumerable.Range(0, 4).Select(_ => _ca.Issue()).ToList();

        var stored = await Task.WhenAll(materials.Select(m => Task.Run(() => store.CommitAsync("example.com", m, CancellationToken.None))));

        Assert.Equal([1, 2, 3, 4], stored.Select(s => s.Version).Order());
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, "example.com"));
    }

    [Fact]
    public async Task Recover_on_a_clean_directory_changes_nothing()
    {
        var store = _dir.Store();
        await store.CommitAsync("example.com", _ca.Issue(), CancellationToken.None);
        var before = StoreLayout.Snapshot(_dir.Root);

        var results = await store.RecoverAsync(CancellationToken.None);

        Assert.Equal(RecoveryOutcome.Clean, Assert.Single(results).Outcome);
        Assert.Equal(before, StoreLayout.Snapshot(_dir.Root));
    }

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }
}
