using CertDaemon.Storage;

namespace CertDaemon.CrashHarness;

/// <summary>
/// The product's own file system (<see cref="LinuxFileSystem"/>), reporting every finished rename to the
/// <see cref="CrashPoint"/>: the store's steps that no event marks (archive written, live renamed, state saved)
/// all end with a rename.
/// </summary>
internal sealed class CrashPointFileSystem(CrashPoint point) : IStoreFileSystem
{
    private readonly IStoreFileSystem _inner = LinuxFileSystem.Instance;

    public Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken) =>
        _inner.WriteNewFileAsync(path, contents, mode, cancellationToken);

    public void Rename(string source, string destination)
    {
        _inner.Rename(source, destination);
        point.Renamed(destination);
    }

    public void RenameNoReplace(string source, string destination)
    {
        _inner.RenameNoReplace(source, destination);
        point.Renamed(destination);
    }

    public void SetOwnership(string path, UnixFileMode mode, uint? group) => _inner.SetOwnership(path, mode, group);

    public void Exchange(string first, string second)
    {
        _inner.Exchange(first, second);
        point.Renamed(second);
    }

    public void CreateSymbolicLink(string path, string target) => _inner.CreateSymbolicLink(path, target);

    public void CreateDirectory(string path, UnixFileMode mode) => _inner.CreateDirectory(path, mode);

    public void SyncDirectory(string path) => _inner.SyncDirectory(path);

    public void DeleteFile(string path) => _inner.DeleteFile(path);

    public void DeleteDirectory(string path) => _inner.DeleteDirectory(path);
}
