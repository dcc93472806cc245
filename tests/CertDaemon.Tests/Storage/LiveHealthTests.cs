namespace CertDaemon.Tests.Storage;

/// <summary>
/// What status reports when <c>live/NAME</c> itself is not certbot's layout: each shape named as it is, and a healthy
/// lineage reported as nothing (one statx decides that case; the link is read only to name a problem).
/// </summary>
public sealed class LiveHealthTests : IDisposable
{
    private const string Name = "example.com";
    private readonly StoreTestDirectory _dir = new();
    private readonly TestCertificates _ca = new();

    [Fact]
    public void Each_shape_of_a_broken_live_directory_is_named()
    {
        _dir.CreateCertbotLineage(Name, _ca, count: 1);
        File.SetUnixFileMode(_dir.Archive(Name, "privkey", 1), UnixFileMode.UserRead | UnixFileMode.UserWrite); // as certbot leaves it
        var store = _dir.Store();
        var live = Path.Combine(_dir.Root, "live", Name);
        Assert.Empty(store.InspectLive(Name, 1));

        var moved = live + ".moved";
        Directory.Move(live, moved);
        Assert.Equal([$"{live} is missing"], store.InspectLive(Name, 1));

        File.WriteAllText(live, "not a directory");
        Assert.Equal([$"{live} is a file, not certbot's layout"], store.InspectLive(Name, 1));

        File.Delete(live);
        File.CreateSymbolicLink(live, ".gone");
        Assert.Equal([$"{live} links to .gone, which is missing"], store.InspectLive(Name, 1));

        File.Delete(live);
        File.CreateSymbolicLink(live, Name + ".moved");
        Assert.Empty(store.InspectLive(Name, 1)); // a link to a healthy directory is healthy
    }

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }
}
