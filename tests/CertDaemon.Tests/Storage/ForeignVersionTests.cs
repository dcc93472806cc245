using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// certbot renewing an adopted lineage behind CertDaemon's back does what certbot 2.x does on this layout: writes
/// archive/NAME/*N.pem and repoints the four links inside live/NAME, which is CertDaemon's version directory. (The
/// real-certbot proof is CertbotCoexistenceTests; these check the store's rules quickly and exactly.)
/// </summary>
public sealed class ForeignVersionTests : IDisposable
{
    private const string Name = "example.com";
    private readonly StoreTestDirectory _dir = new();
    private readonly TestCertificates _ca = new();

    [Fact]
    public async Task A_version_certbot_wrote_through_live_is_seen_as_live_kept_forever_and_numbered_around()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var store = _dir.Store(new CertificateStoreOptions { KeepVersions = 1 });
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        RenewLikeCertbot(3);
        var certbotFiles = StoreLayout.Snapshot(Path.Combine(_dir.Root, "archive", Name));

        var live = store.GetLive(Name)!;
        Assert.Equal(3, live.Version);
        Assert.True(live.IsCertbotVersion);
        Assert.Equal(StoreLayout.LiveSerial(_dir.Root, Name), live.Serial);

        await store.RecoverAsync(CancellationToken.None);
        var fourth = await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        var fifth = await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);

        Assert.Equal([4, 5], new[] { fourth.Version, fifth.Version });
        Assert.False(fifth.IsCertbotVersion);
        var after = StoreLayout.Snapshot(Path.Combine(_dir.Root, "archive", Name));
        foreach (var (path, content) in certbotFiles.Where(f => f.Key.Contains('1') || f.Key.Contains('3')))
        {
            Assert.Equal(content, after[path]);
        }

        Assert.Equal([1, 3, 5], store.GetVersions(Name).Select(v => v.Version));
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, Name));
    }

    [Fact]
    public async Task An_archive_file_that_appears_under_the_chosen_number_is_never_overwritten()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var certbotCert = _ca.Issue().NormalizedCertificatePem;
        var racing = new RacingFileSystem(Path.Combine(_dir.Root, "archive", Name, "chain2.pem"), certbotCert);
        var store = _dir.Store(fileSystem: racing);
        var liveBefore = StoreLayout.LiveSerial(_dir.Root, Name);

        var error = await Assert.ThrowsAsync<CertificateStoreException>(() => store.CommitAsync(Name, _ca.Issue(), CancellationToken.None));

        Assert.Contains("chain2.pem", error.Message, StringComparison.Ordinal);
        Assert.Equal(certbotCert, File.ReadAllText(_dir.Archive(Name, "chain", 2)));
        Assert.False(File.Exists(_dir.Archive(Name, "cert", 2)));
        Assert.Equal(liveBefore, StoreLayout.LiveSerial(_dir.Root, Name));

        var next = await _dir.Store().CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        Assert.Equal(3, next.Version);
        Assert.Equal(certbotCert, File.ReadAllText(_dir.Archive(Name, "chain", 2)));
    }

    /// <summary>certbot's <c>save_successor</c> + <c>update_all_links_to</c>, through the live/NAME link.</summary>
    [Fact]
    public async Task Newer_foreign_archive_versions_are_listed_newest_first_and_only_complete_matching_sets_verify()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var store = _dir.Store();
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        RenewLikeCertbot(3);
        PointLinksAt(2);
        foreach (var part in new[] { "cert", "chain", "fullchain" })
        {
            File.Copy(_dir.Archive(Name, part, 3), _dir.Archive(Name, part, 4));
        }

        File.Copy(_dir.Archive(Name, "privkey", 2), _dir.Archive(Name, "privkey", 4));
        File.Copy(_dir.Archive(Name, "cert", 3), _dir.Archive(Name, "cert", 5));

        Assert.Equal(2, store.GetLive(Name)!.Version);
        Assert.Equal([5, 4, 3], store.ForeignVersionsAbove(Name, 2));
        Assert.Equal([5, 4, 3, 1], store.ForeignVersionsAbove(Name, 0));
        var third = await store.ReadVerifiedVersionAsync(Name, 3, CancellationToken.None);
        Assert.True(third.IsCertbotVersion);
        await Assert.ThrowsAsync<CertificateMaterialException>(() => store.ReadVerifiedVersionAsync(Name, 4, CancellationToken.None));
        await Assert.ThrowsAsync<CertificateMaterialException>(() => store.ReadVerifiedVersionAsync(Name, 5, CancellationToken.None));
    }

    [Fact]
    public async Task The_nginx_rollback_leaves_a_version_certbot_made_live_after_the_switch_in_place()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var store = _dir.Store();
        var ours = await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        RenewLikeCertbot(3);
        var certbot = store.GetLive(Name)!;

        var result = await CertDaemon.Hosting.LiveRollback.For(store)(
            new CertDaemon.Deployment.DeploymentContext(Name, [Name], ours.Serial, store.LivePath(Name)), CancellationToken.None);

        Assert.Equal(new CertDaemon.Deployment.LiveRollbackResult.LeftInPlace(3, certbot.Serial), result);
        Assert.Equal(3, store.GetLive(Name)!.Version);
        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, Name));
    }

    [Fact]
    public async Task A_newer_complete_set_for_other_names_is_ignored_and_never_made_live()
    {
        await AssertNewerSetIgnoredAsync(_ca.Issue("other.example"), "names other.example; the certificate is configured for example.com");
    }

    /// <summary>
    /// An imported lineage nothing configures or remembers names for (a state from before names were recorded): the
    /// live version's own certificate says what a newer version must name.
    /// </summary>
    [Fact]
    public async Task Without_configured_or_recorded_names_a_newer_set_for_other_names_is_judged_by_the_live_certificate()
    {
        await AssertNewerSetIgnoredAsync(_ca.Issue("other.example"), "names other.example; the live certificate covers example.com", configured: false);
    }

    [Fact]
    public async Task An_expired_newer_complete_set_is_ignored_and_never_made_live()
    {
        await AssertNewerSetIgnoredAsync(_ca.Issue(Name, days: 10), "expired on 2025-01-11");
    }

    /// <summary>
    /// certbot's version 1 is live and adopted as current; then a complete, consistent version 2 that live does not
    /// point at appears (<paramref name="newer"/>). It must be reported with <paramref name="why"/> and left alone.
    /// </summary>
    private async Task AssertNewerSetIgnoredAsync(CertificateMaterial newer, string why, bool configured = true)
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new CertDaemonOptions
        {
            CertificateDirectory = _dir.Root,
            StateDirectory = Path.Combine(_dir.Root, "state"),
            Certificates = configured ? [new CertificateOptions { Name = Name, Domains = [Name] }] : [],
        };
        var store = _dir.Store();
        var states = new CertificateStateStore(options.StateDirectory, time, NullLogger.Instance);
        var log = new CapturingLogger<LiveCertificateAdoption>();
        var adoption = new LiveCertificateAdoption(options, store, states, time, log);
        var adopted = (await adoption.ReconcileAsync(Name, CancellationToken.None))!.Current!;
        Assert.Equal(1, adopted.Version);
        if (!configured)
        {
            await states.UpdateAsync(Name, s => s with { Current = s.Current! with { Domains = [] } }, CancellationToken.None);
        }

        var archive = Path.Combine(_dir.Root, "archive", Name);
        File.WriteAllText(Path.Combine(archive, "cert2.pem"), newer.NormalizedCertificatePem);
        File.WriteAllText(Path.Combine(archive, "chain2.pem"), newer.NormalizedChainPem);
        File.WriteAllText(Path.Combine(archive, "fullchain2.pem"), newer.FullChainPem);
        File.WriteAllText(Path.Combine(archive, "privkey2.pem"), newer.NormalizedPrivateKeyPem);
        Assert.Equal(2, (await store.ReadVerifiedVersionAsync(Name, 2, CancellationToken.None)).Version);
        var files = StoreLayout.Snapshot(archive);

        var state = await adoption.ReconcileAsync(Name, CancellationToken.None);

        Assert.Equal((1, adopted.Serial), (state!.Current!.Version, state.Current.Serial));
        var saved = (await states.LoadAsync(Name, CancellationToken.None))!.Current!;
        Assert.Equal((1, adopted.Serial), (saved.Version, saved.Serial));
        Assert.Null(await adoption.FindAsync(Name, state, CancellationToken.None));
        Assert.Equal(1, store.GetLive(Name)!.Version);
        Assert.Equal(files, StoreLayout.Snapshot(archive));
        var error = Assert.Single(log.Values("ForeignVersionIgnored", "Error"));
        Assert.Contains(why, (string)error!, StringComparison.Ordinal);
        Assert.Equal(0, log.Count("ForeignRenewalDetected"));
    }

    private void PointLinksAt(int version)
    {
        foreach (var part in StoreLayout.Parts)
        {
            var link = Path.Combine(_dir.Root, "live", Name, part + ".pem");
            File.Delete(link);
            File.CreateSymbolicLink(link, $"../../archive/{Name}/{part}{version}.pem");
        }
    }

    /// <summary>
    /// A damaged lineage marker is the store's typed error naming the file (a bare JsonException escaped status and the
    /// daemon's check before); it is read when a newer version asks whose it is, not when none is above the state's.
    /// </summary>
    [Fact]
    public async Task A_damaged_lineage_marker_is_a_store_error_naming_it_when_a_newer_version_needs_it()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var store = _dir.Store();
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        var marker = new LineagePaths(_dir.Root).LineageMarker(Name);
        File.WriteAllText(marker, "{ \"firstOwnVersion\": ");

        Assert.Empty(store.ForeignVersionsAbove(Name, above: 2));
        RenewLikeCertbot(3);
        var error = Assert.Throws<CertificateStoreException>(() => store.ForeignVersionsAbove(Name, above: 2));
        Assert.Contains($"{marker} is not a lineage marker CertDaemon can read", error.Message, StringComparison.Ordinal);
    }

    private void RenewLikeCertbot(int version)
    {
        var material = _ca.Issue();
        var archive = Path.Combine(_dir.Root, "archive", Name);
        File.WriteAllText(Path.Combine(archive, $"cert{version}.pem"), material.NormalizedCertificatePem);
        File.WriteAllText(Path.Combine(archive, $"chain{version}.pem"), material.NormalizedChainPem);
        File.WriteAllText(Path.Combine(archive, $"fullchain{version}.pem"), material.FullChainPem);
        File.WriteAllText(Path.Combine(archive, $"privkey{version}.pem"), material.NormalizedPrivateKeyPem);
        foreach (var part in StoreLayout.Parts)
        {
            var link = Path.Combine(_dir.Root, "live", Name, part + ".pem");
            File.Delete(link);
            File.CreateSymbolicLink(link, $"../../archive/{Name}/{part}{version}.pem");
        }
    }

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    /// <summary>Another writer creates <c>path</c> just before the store's own file would land there.</summary>
    private sealed class RacingFileSystem(string path, string content) : IStoreFileSystem
    {
        private readonly IStoreFileSystem _inner = LinuxFileSystem.Instance;

        public Task WriteNewFileAsync(string file, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken) =>
            _inner.WriteNewFileAsync(file, contents, mode, cancellationToken);

        public void RenameNoReplace(string source, string destination)
        {
            if (destination == path && !File.Exists(path))
            {
                File.WriteAllText(path, content);
            }

            _inner.RenameNoReplace(source, destination);
        }

        public void SetOwnership(string file, UnixFileMode mode, uint? group) => _inner.SetOwnership(file, mode, group);

        public void Rename(string source, string destination) => _inner.Rename(source, destination);

        public void Exchange(string first, string second) => _inner.Exchange(first, second);

        public void CreateSymbolicLink(string link, string target) => _inner.CreateSymbolicLink(link, target);

        public void CreateDirectory(string directory, UnixFileMode mode) => _inner.CreateDirectory(directory, mode);

        public void SyncDirectory(string directory) => _inner.SyncDirectory(directory);

        public void DeleteFile(string file) => _inner.DeleteFile(file);

        public void DeleteDirectory(string directory) => _inner.DeleteDirectory(directory);
    }
}
