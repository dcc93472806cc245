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
    /// Removes every file of <paramref name="name"/>: the <c>live/NAME</c> link (or certbot's directory) first, so a
    /// reader meets "no such file", never a link into removed files; then the version directories,
    /// <c>archive/NAME</c>, the journal and the marker. The lock file stays (another process may be waiting on it).
    /// </summary>
    /// <returns>The paths removed.</returns>
    /// <exception cref="CertificateStoreException">A removal failed; the rest is left for a second run.</exception>
    public IReadOnlyList<string> Purge(string name)
    {
        var removed = new List<string>();
        var live = Path.Combine(paths.LiveRoot, name);
        try
        {
            if (LineageReader.IsSymbolicLink(live))
            {
                fileSystem.DeleteFile(live);
                removed.Add(live);
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

            if (Directory.Exists(paths.ArchiveDirectory(name)))
            {
                fileSystem.DeleteDirectory(paths.ArchiveDirectory(name));
                removed.Add(paths.ArchiveDirectory(name));
            }

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
}
