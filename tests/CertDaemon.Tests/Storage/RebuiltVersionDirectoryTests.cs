using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// An operator who lets a non-root reader (haproxy, postfix) into the certificate through a group keeps that access
/// when a deleted version directory is rebuilt by the repair: it gets the group and traverse bits the operator gave
/// the archive directory, not a bare 0700 the reader cannot enter.
/// </summary>
public sealed class RebuiltVersionDirectoryTests : IDisposable
{
    private const uint ReaderGroup = 64998;
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-rebuilt-version-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_rebuilt_version_directory_keeps_the_group_access_the_operator_gave()
    {
        var store = new CertificateStore(_root, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        using var ca = new TestCertificates();
        var stored = await store.CommitAsync("site", ca.Issue("site.test"), CancellationToken.None);
        var groupReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        var archive = Path.Combine(_root, "archive", "site");
        var versionDirectory = Path.Combine(_root, "live", new FileInfo(store.LivePath("site")).LinkTarget!);
        foreach (var directory in new[] { archive, versionDirectory })
        {
            LinuxNative.ChangeGroup(directory, ReaderGroup);
            File.SetUnixFileMode(directory, groupReadable);
        }

        Directory.Delete(versionDirectory, recursive: true);
        var result = await store.RepairLiveAsync("site", stored.Version, CancellationToken.None);

        Assert.Contains(result.Repaired, r => r.EndsWith("rebuilt", StringComparison.Ordinal));
        Assert.Empty(result.StillWrong);
        var rebuilt = LinuxNative.GetOwnership(versionDirectory);
        Assert.Equal(ReaderGroup, rebuilt.Group);
        Assert.Equal(groupReadable, rebuilt.Mode);
    }
}
