namespace CertDaemon.Storage;

/// <summary>
/// The file-system steps the store and <see cref="AtomicFile"/> take, as a seam so tests can make any single step
/// fail (no space left, I/O error) or make every step after one fail (a simulated crash).
/// </summary>
/// <remarks>
/// Contract: every member either completes its one step or throws an <see cref="IOException"/> (or
/// <see cref="NotSupportedException"/> from <see cref="Exchange"/>) having changed nothing else. Members never retry.
/// Reads (listing, lstat, readlink) are not part of the seam: they cannot run out of space and the store must be
/// able to inspect the disk to clean up after a failed step.
/// </remarks>
internal interface IStoreFileSystem
{
    /// <summary>
    /// Creates <paramref name="path"/> exclusively (it must not exist) with exactly <paramref name="mode"/> set
    /// before any byte is written, writes <paramref name="contents"/> and flushes it to disk (fsync).
    /// </summary>
    Task WriteNewFileAsync(string path, ReadOnlyMemory<byte> contents, UnixFileMode mode, CancellationToken cancellationToken);

    /// <summary>rename(2): atomically replaces a file or symbolic link at <paramref name="destination"/>.</summary>
    void Rename(string source, string destination);

    /// <summary>
    /// Moves <paramref name="source"/> to <paramref name="destination"/> only when nothing exists there (an archive
    /// file is never replaced, whoever wrote it); otherwise throws an <see cref="IOException"/> for which
    /// <see cref="LinuxNative.IsAlreadyExists"/> is true, changing nothing.
    /// </summary>
    void RenameNoReplace(string source, string destination);

    /// <summary>Gives <paramref name="path"/> the group <paramref name="group"/> (when not null), then exactly <paramref name="mode"/>.</summary>
    void SetOwnership(string path, UnixFileMode mode, uint? group);

    /// <summary>
    /// Atomically swaps two directory entries of any type (Linux <c>renameat2(RENAME_EXCHANGE)</c>).
    /// Throws <see cref="NotSupportedException"/> when the file system cannot; callers then fall back.
    /// </summary>
    void Exchange(string first, string second);

    /// <summary>Creates a symbolic link at <paramref name="path"/> whose content is <paramref name="target"/> (kept relative).</summary>
    void CreateSymbolicLink(string path, string target);

    /// <summary>Creates one directory (the parent must exist) with exactly <paramref name="mode"/>.</summary>
    void CreateDirectory(string path, UnixFileMode mode);

    /// <summary>fsync on a directory, so entries created, renamed or removed in it survive a power loss.</summary>
    void SyncDirectory(string path);

    /// <summary>Removes a file or symbolic link; does nothing when it is already gone.</summary>
    void DeleteFile(string path);

    /// <summary>Removes a directory and everything in it (symbolic links are removed, never followed).</summary>
    void DeleteDirectory(string path);
}
