using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// Removes what is no longer needed from a lineage: a version that is not live, old versions beyond the retention,
/// or (purge) every file of the lineage.
/// </summary>
/// <remarks>Callers hold the lineage lock. A directory is renamed to <c>.partial</c> before it is deleted, so a crash
/// mid-delete leaves something recovery removes, never a half-empty directory that looks complete. Archive files go
/// only when CertDaemon wrote them (<see cref="LineageReader.IsOwnVersion"/>): certbot's versions are history.</remarks>
internal sealed class LineageRemoval(
    LineagePaths paths, LineageReader reader, LineageMetadata metadata, IStoreFileSystem fileSystem, int keepVersions, ILogger logger)
{
    /// <summary>
    /// Removes a version that is not live: its directory first (renamed to <c>.partial</c>, so a crash mid-delete
    /// leaves something recovery removes), then its archive files.
    /// </summary>
    /// <returns>The paths removed.</returns>
    public List<string> DiscardVersion(string name, int version)
    {
        var removed = DiscardVersionDirectory(name, version);

        // Archive files go only when CertDaemon wrote them: a version certbot wrote under the same number is history.
        var owned = reader.IsOwnVersion(name, metadata.ReadLineageMarker(name), version);
        foreach (var part in owned ? LineagePaths.Parts : [])
        {
            var path = paths.ArchiveFile(name, part, version);
            if (File.Exists(path))
            {
                fileSystem.DeleteFile(path);
                removed.Add(path);
            }
        }

        fileSystem.SyncIfExists(paths.LiveRoot);
        fileSystem.SyncIfExists(paths.ArchiveDirectory(name));
        return removed;
    }

    /// <summary>Removes <c>live/.NAME.vN</c> (renamed to <c>.partial</c> first, so a crash mid-delete leaves something recovery removes).</summary>
    public List<string> DiscardVersionDirectory(string name, int version)
    {
        var removed = new List<string>();
        var directory = paths.VersionDirectory(name, version);
        var partial = paths.PartialVersionDirectory(name, version);
        if (Directory.Exists(directory))
        {
            fileSystem.DeleteDirectory(partial);
            fileSystem.Rename(directory, partial);
            removed.Add(directory);
        }

        if (Directory.Exists(partial))
        {
            fileSystem.DeleteDirectory(partial);
            removed.Add(partial);
        }

        return removed;
    }

    /// <summary>
    /// Keeps the newest versions CertDaemon wrote (the retention) and the live one; removes the rest. Runs after
    /// the commit point, so a failure is only logged: the next commit prunes again.
    /// </summary>
    public void Prune(string name, LineageMarker marker, int liveVersion)
    {
        var own = reader.ArchiveVersions(name).Keys.Concat(reader.VersionDirectories(name))
            .Distinct()
            .Where(v => reader.IsOwnVersion(name, marker, v))
            .OrderDescending()
            .ToList();
        foreach (var version in own.Skip(keepVersions).Where(v => v != liveVersion))
        {
            try
            {
                DiscardVersion(name, version);
                StorageLog.VersionPruned(logger, name, version);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                StorageLog.PostSwitchStepFailed(logger, name, liveVersion, $"removing old version {version}", e.Message);
            }
        }
    }

    /// <summary>
    /// Removes every file CertDaemon wrote for <paramref name="name"/>: its <c>live/NAME</c> link first, so a reader
    /// meets "no such file", never a link into removed files; then its version directories, its archive versions, the
    /// journal and the marker. The lock file stays (another process may be waiting on it).
    /// </summary>
    /// <remarks>
    /// An adopted certbot lineage is left as certbot left it: certbot's archive versions stay byte for byte (and
    /// <c>archive/NAME</c> with them), and certbot's live directory, parked as <c>live/.NAME.vK</c> by the first switch,
    /// goes back to <c>live/NAME</c> in the link's place (one <c>RENAME_EXCHANGE</c> where the file system has it), so
    /// certbot's renewal configuration, which names <c>live/NAME/*.pem</c>, keeps working. CertDaemon's own files are
    /// the versions the lineage marker records (<see cref="LineageReader.IsOwnVersion"/>).
    /// </remarks>
    /// <returns>The paths removed.</returns>
    /// <exception cref="CertificateStoreException">A removal failed; the rest is left for a second run.</exception>
    public IReadOnlyList<string> Purge(string name)
    {
        var removed = new List<string>();
        var live = Path.Combine(paths.LiveRoot, name);
        var marker = metadata.ReadLineageMarker(name);
        var certbotDirectory = CertbotDirectoryToRestore(name, marker);
        // Decided before any version directory goes: a marker from before the list existed knows its versions by them.
        var own = reader.ArchiveVersions(name).Keys.Where(v => reader.IsOwnVersion(name, marker, v)).ToList();
        try
        {
            if (LineageReader.IsSymbolicLink(live))
            {
                if (certbotDirectory is not null)
                {
                    PutCertbotDirectoryBack(certbotDirectory, live);
                }
                else
                {
                    fileSystem.DeleteFile(live);
                }

                removed.Add(live);
            }
            else if (Directory.Exists(live) && marker is null)
            {
                // Never switched by CertDaemon: certbot's own directory (or nothing of ours) stays.
            }
            else if (Directory.Exists(live) && reader.DirectoryVersion(name, live) is { } liveVersion && !reader.IsOwnVersion(name, marker, liveVersion))
            {
                // certbot's directory, still in place: certbot's.
            }
            else if (Directory.Exists(live))
            {
                fileSystem.DeleteDirectory(live);
                removed.Add(live);
            }

            fileSystem.SyncDirectory(paths.LiveRoot);
            foreach (var entry in new DirectoryInfo(paths.LiveRoot).EnumerateFileSystemInfos("." + name + ".*"))
            {
                if (LineagePaths.ParseVersionDirectory(name, entry.Name, partial: false) is not null
                    || LineagePaths.ParseVersionDirectory(name, entry.Name, partial: true) is not null
                    || entry.FullName == paths.NextLink(name))
                {
                    if (entry is DirectoryInfo && entry.LinkTarget is null)
                    {
                        fileSystem.DeleteDirectory(entry.FullName);
                    }
                    else
                    {
                        fileSystem.DeleteFile(entry.FullName);
                    }

                    removed.Add(entry.FullName);
                }
            }

            removed.AddRange(RemoveArchiveVersions(name, own));
            foreach (var meta in new[] { paths.Journal(name), paths.LineageMarker(name) }.Where(File.Exists))
            {
                fileSystem.DeleteFile(meta);
                removed.Add(meta);
            }

            fileSystem.SyncIfExists(paths.LiveRoot);
            fileSystem.SyncIfExists(paths.ArchiveRoot);
            fileSystem.SyncIfExists(paths.MetaRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Removing the files of '{name}' failed: {e.Message}. Removed so far: {(removed.Count == 0 ? "nothing" : string.Join(", ", removed))}.", e);
        }

        return removed;
    }

    /// <summary>
    /// certbot's parked live directory (<c>live/.NAME.vK</c> naming a version CertDaemon did not write, the newest such),
    /// or null when the lineage was never certbot's.
    /// </summary>
    private string? CertbotDirectoryToRestore(string name, LineageMarker? marker) =>
        reader.VersionDirectories(name)
            .Where(v => !reader.IsOwnVersion(name, marker, v) && reader.IsCompleteArchiveSet(name, v))
            .Select(v => paths.VersionDirectory(name, v))
            .Where(d => !LineageReader.IsSymbolicLink(d) && reader.DirectoryVersion(name, d) is { } named && !reader.IsOwnVersion(name, marker, named))
            .OrderByDescending(d => reader.DirectoryVersion(name, d))
            .FirstOrDefault();

    /// <summary>Puts certbot's directory back at <c>live/NAME</c> in place of CertDaemon's link, atomically where possible.</summary>
    private void PutCertbotDirectoryBack(string certbotDirectory, string live)
    {
        try
        {
            fileSystem.Exchange(certbotDirectory, live);
            fileSystem.DeleteFile(certbotDirectory);
        }
        catch (NotSupportedException)
        {
            fileSystem.DeleteFile(live);
            fileSystem.Rename(certbotDirectory, live);
        }

        fileSystem.SyncDirectory(paths.LiveRoot);
    }

    /// <summary>CertDaemon's archive versions; <c>archive/NAME</c> itself only when nothing else is left in it.</summary>
    private List<string> RemoveArchiveVersions(string name, List<int> own)
    {
        var removed = new List<string>();
        var archive = paths.ArchiveDirectory(name);
        if (!Directory.Exists(archive))
        {
            return removed;
        }

        foreach (var version in own)
        {
            foreach (var path in LineagePaths.Parts.Select(part => paths.ArchiveFile(name, part, version)).Where(File.Exists))
            {
                fileSystem.DeleteFile(path);
                removed.Add(path);
            }
        }

        if (!Directory.EnumerateFileSystemEntries(archive).Any())
        {
            fileSystem.DeleteDirectory(archive);
            removed.Add(archive);
        }

        return removed;
    }
}
