using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// A renewal keeps what the operator gave a certbot lineage's key and live directory (the usual way a non-root
/// reader such as haproxy gets the key), never more than group read on a key.
/// </summary>
public sealed class OperatorPermissionsTests : IDisposable
{
    private const string Name = "example.com";
    private const uint ReaderGroup = 4242; // a group id that need not exist: chown accepts any number for root
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Rwx = Rw | UnixFileMode.UserExecute;
    private readonly StoreTestDirectory _dir = new();
    private readonly TestCertificates _ca = new();

    [Theory]
    [InlineData(Rw | UnixFileMode.GroupRead, Rw | UnixFileMode.GroupRead)]
    [InlineData(Rw | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead, Rw | UnixFileMode.GroupRead)]
    [InlineData(Rw, Rw)]
    public async Task A_new_key_takes_the_previous_key_s_group_and_at_most_its_group_read_bit(UnixFileMode previous, UnixFileMode expected)
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        LinuxNative.ChangeGroup(_dir.Archive(Name, "privkey", 1), ReaderGroup);
        File.SetUnixFileMode(_dir.Archive(Name, "privkey", 1), previous);
        var store = _dir.Store();

        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);

        foreach (var version in new[] { 2, 3 })
        {
            var key = LinuxNative.GetOwnership(_dir.Archive(Name, "privkey", version));
            Assert.Equal(ReaderGroup, key.Group);
            Assert.Equal(expected, key.Mode);
        }

        Assert.Null(StoreLayout.LiveSetProblem(_dir.Root, Name));
    }

    [Fact]
    public async Task The_version_directory_replacing_certbot_s_live_directory_keeps_its_group_and_traversal_bits()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        var certbotLive = Path.Combine(_dir.Root, "live", Name);
        LinuxNative.ChangeGroup(certbotLive, ReaderGroup);
        File.SetUnixFileMode(certbotLive, Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.GroupWrite);

        await _dir.Store().CommitAsync(Name, _ca.Issue(), CancellationToken.None);

        var directory = LinuxNative.GetOwnership(Path.Combine(_dir.Root, "live", ".example.com.v2"));
        Assert.Equal(ReaderGroup, directory.Group);
        Assert.Equal(Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, directory.Mode);
    }

    [Fact]
    public async Task A_tree_CertDaemon_creates_itself_stays_private()
    {
        var store = _dir.Store();
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);
        await store.CommitAsync(Name, _ca.Issue(), CancellationToken.None);

        Assert.Equal(Rw, LinuxNative.GetOwnership(_dir.Archive(Name, "privkey", 2)).Mode);
        Assert.Equal(Rwx, LinuxNative.GetOwnership(Path.Combine(_dir.Root, "live", ".example.com.v2")).Mode);
        Assert.Equal(0u, LinuxNative.GetOwnership(_dir.Archive(Name, "privkey", 2)).Group);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }
}
