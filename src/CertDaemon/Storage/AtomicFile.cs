
namespace CertDaemon.Storage;

/// <summary>
/// Replaces a file so that a reader, or the next start after a crash or power loss, sees either the whole old
/// content or the whole new content, never a mix or a truncated file (certmagic's <c>internal/atomicfile</c>).
/// </summary>
/// <remarks>
/// Steps: create a temporary file in the destination's own directory (a rename is only atomic within one file
/// system) with the final mode set before any byte is written, write, fsync, rename over the destination, fsync
/// the directory so the rename itself is durable. On failure the temporary file is removed (best effort) and the
/// destination is untouched; a temporary file left by a crash is named <c>.NAME.certdaemon-tmp-RANDOM</c> and
/// <see cref="DeleteStaleTemporaryFiles(string)"/> removes it on the next start.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>The marker in the names of temporary files; nothing else uses it.</summary>
    public const string TemporaryMarker = ".certdaemon-tmp-";

    /// <summary>Atomically writes <paramref name="contents"/> to <paramref name="path"/> with exactly <paramref name="mode"/>.</summary>
    /// <exception cref="IOException">A step failed; the message names the step and the path. The old file is intact,
    /// except when only the final directory fsync failed: then a <see cref="FileNotDurableException"/> says the new
    /// content is in place but might not survive a power loss.</exception>
    public static Task WriteAsync(string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken) =>
        WriteAsync(LinuxFileSystem.Instance, path, contents, mode, cancellationToken);

    /// <summary>Removes temporary files a crash left in <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> DeleteStaleTemporaryFiles(string directory) =>
        DeleteStaleTemporaryFiles(LinuxFileSystem.Instance, directory);

    internal static Task WriteAsync(IStoreFileSystem fileSystem, string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken) =>
        PlaceAsync(fileSystem, path, replace: true, async temporary =>
        {
            await fileSystem.WriteNewFileAsync(temporary, contents, mode, cancellationToken);
        });

    /// <summary>
    /// Like <see cref="WriteAsync(string, ReadOnlyMemory{byte}, UnixFileMode, CancellationToken)"/>, but
    /// <paramref name="path"/> must not exist: an existing file is never replaced (the archive's rule: a version
    /// number is never reused, whoever wrote it). With <paramref name="group"/>, the file gets that group before its
    /// group bits are opened, and both before the file appears under its name.
    /// </summary>
    /// <exception cref="IOException">A step failed, or <paramref name="path"/> exists
    /// (<see cref="LinuxNative.IsAlreadyExists"/>); nothing was changed.</exception>
    internal static Task CreateAsync(IStoreFileSystem fileSystem, string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, uint? group, CancellationToken cancellationToken) =>
        PlaceAsync(fileSystem, path, replace: false, async temporary =>
        {
            if (group is null)
            {
                await fileSystem.WriteNewFileAsync(temporary, contents, mode, cancellationToken);
                return;
            }

            // Owner-only until the group is right, so the old group never sees a byte of a key.
            const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            await fileSystem.WriteNewFileAsync(temporary, contents, mode & ~groupOrOther, cancellationToken);
            fileSystem.SetOwnership(temporary, mode, group);
        });

    /// <summary>Writes a temporary file next to <paramref name="path"/>, moves it there (replacing or not), fsyncs the directory.</summary>
    private static async Task PlaceAsync(IStoreFileSystem fileSystem, string path, bool replace, Func<string, Task> writeTemporary)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' has no parent directory", nameof(path));
        var temporary = TemporaryPathFor(fullPath);
        try
        {
            await writeTemporary(temporary);
            if (replace)
            {
                fileSystem.Rename(temporary, fullPath);
            }
            else
            {
                fileSystem.RenameNoReplace(temporary, fullPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            var cleanupError = TryDelete(fileSystem, temporary);
            if (cleanupError is not null && e is not OperationCanceledException)
            {
                throw new IOException($"{e.Message} (the temporary file '{temporary}' was left behind: {cleanupError.Message})", e);
            }

            throw;
        }

        try
        {
            fileSystem.SyncDirectory(directory);
        }
        catch (IOException e)
        {
            throw new FileNotDurableException($"{fullPath} was {(replace ? "replaced, but making the replacement" : "created, but making it")} durable failed (fsync {directory}): {e.Message}", e);
        }
    }

    internal static IReadOnlyList<string> DeleteStaleTemporaryFiles(IStoreFileSystem fileSystem, string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporaryMarker + "*"))
        {
            fileSystem.DeleteFile(file);
            removed.Add(file);
        }

        return removed;
    }

    /// <summary>Whether <paramref name="path"/> names a temporary file of this class.</summary>
    public static bool IsTemporaryFile(string path) => Path.GetFileName(path).Contains(TemporaryMarker, StringComparison.Ordinal);

    private static string TemporaryPathFor(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        // Unique, not secret: the file is created with O_EXCL in a directory only we write. Random.Shared, not the
        // crypto RNG, which would load OpenSSL into every command that writes a file (2-3 MB of RSS in the daemon).
        Span<byte> bytes = stackalloc byte[6];
        Random.Shared.NextBytes(bytes);
        var random = Convert.ToHexStringLower(bytes);
        return Path.Combine(directory, "." + Path.GetFileName(fullPath) + TemporaryMarker + random);
    }

    private static IOException? TryDelete(IStoreFileSystem fileSystem, string path)
    {
        try
        {
            fileSystem.DeleteFile(path);
            return null;
        }
        catch (IOException e)
        {
            // The original failure is what the caller must see; the leftover is harmless (DeleteStaleTemporaryFiles
            // removes it on the next start) and is only mentioned in the message.
            return e;
        }
    }
}
