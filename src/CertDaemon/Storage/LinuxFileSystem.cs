namespace CertDaemon.Storage;

/// <summary>The real <see cref="IStoreFileSystem"/>: direct system calls, nothing cached.</summary>
internal sealed class LinuxFileSystem : IStoreFileSystem
{
    public static LinuxFileSystem Instance { get; } = new();

    public async Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = mode,
        };
        await using var stream = new FileStream(path, options);
        // The create mode is filtered by the umask; set it exactly before the first byte lands, so a key is never
        // readable by others even for a moment, and a 0644 certificate is not left 0600 by a strict umask.
        File.SetUnixFileMode(stream.SafeFileHandle, mode);
        await stream.WriteAsync(contents, cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    public void Rename(string source, string destination) => LinuxNative.Rename(source, destination);

    public void RenameNoReplace(string source, string destination) => LinuxNative.RenameNoReplace(source, destination);

    public void SetOwnership(string path, UnixFileMode mode, uint? group)
    {
        if (group is { } gid)
        {
            LinuxNative.ChangeGroup(path, gid);
        }

        File.SetUnixFileMode(path, mode);
    }

    public void Exchange(string first, string second) => LinuxNative.Exchange(first, second);

    public void CreateSymbolicLink(string path, string target) => File.CreateSymbolicLink(path, target);

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        Directory.CreateDirectory(path, mode);
        File.SetUnixFileMode(path, mode);
    }

    public void SyncDirectory(string path) => LinuxNative.SyncDirectory(path);

    public void DeleteFile(string path)
    {
        // File.Delete removes a symbolic link itself, and is a no-op for a missing file.
        File.Delete(path);
    }

    public void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            // Recursive delete on .NET removes the links inside without following them.
            Directory.Delete(path, recursive: true);
        }
    }
}
