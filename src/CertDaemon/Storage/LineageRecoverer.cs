using CertDaemon.Kernel;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// Brings a lineage back to a clean state after a crash: a journalled switch whose version is live is finished, any
/// other is undone; temporary files, <c>.partial</c> directories, a stray <c>.NAME.next</c> and CertDaemon's archive
/// files without a version directory are removed.
/// </summary>
/// <remarks>Runs on start for every lineage and at the start of every operation on one, under its lock. Never
/// touches what certbot wrote: only files recorded as CertDaemon's (<see cref="LineageMarker"/>) or named by its
/// own temporary-name patterns qualify.</remarks>
internal sealed class LineageRecoverer(
    LineagePaths paths, LineageReader reader, LineageMetadata metadata, LiveSwitch liveSwitch, IStoreFileSystem fileSystem, ILogger logger)
{
    /// <summary>
    /// Every lineage the certificate directory knows of: live entries, archive directories, and journals (a crash
    /// can leave a journal for a lineage that has nothing else yet). Names that are not valid certificate names are
    /// not CertDaemon's and are skipped.
    /// </summary>
    public SortedSet<string> LineageNames()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (Directory.Exists(paths.LiveRoot))
        {
            foreach (var entry in new DirectoryInfo(paths.LiveRoot).EnumerateFileSystemInfos())
            {
                if ((entry is DirectoryInfo || entry.LinkTarget is not null) && CertificateName.Problem(entry.Name) is null)
                {
                    names.Add(entry.Name);
                }
            }
        }

        if (Directory.Exists(paths.ArchiveRoot))
        {
            names.UnionWith(new DirectoryInfo(paths.ArchiveRoot).EnumerateDirectories().Select(d => d.Name).Where(n => CertificateName.Problem(n) is null));
        }

        if (Directory.Exists(paths.MetaRoot))
        {
            names.UnionWith(Directory.EnumerateFiles(paths.MetaRoot, "*.switch.json")
                .Select(f => Path.GetFileName(f)[..^".switch.json".Length])
                .Where(n => CertificateName.Problem(n) is null));
        }

        return names;
    }

    /// <summary>Finishes or undoes the journalled switch of <paramref name="name"/> and removes its leftovers. The caller holds the lock.</summary>
    public LineageRecovery Recover(string name)
    {
        var removed = new List<string>();
        var outcome = RecoveryOutcome.Clean;
        var journal = metadata.ReadJournal(name);
        if (journal is not null)
        {
            var live = reader.ReadLive(name);
            if (live.IsLink && live.Version == journal.Version)
            {
                liveSwitch.FinishSwitch(name, journal);
                outcome = RecoveryOutcome.Completed;
            }
            else
            {
                removed.AddRange(liveSwitch.UndoSwitch(name, journal));
                outcome = RecoveryOutcome.Undone;
            }
        }

        removed.AddRange(AtomicFile.DeleteStaleTemporaryFiles(fileSystem, paths.ArchiveDirectory(name)));
        foreach (var metaFile in new[] { paths.Journal(name), paths.LineageMarker(name) })
        {
            // Exact prefixes: another lineage's temporary files may be in use by its own, concurrent operation.
            var prefix = "." + Path.GetFileName(metaFile) + AtomicFile.TemporaryMarker;
            if (Directory.Exists(paths.MetaRoot))
            {
                foreach (var stale in Directory.EnumerateFiles(paths.MetaRoot, prefix + "*"))
                {
                    fileSystem.DeleteFile(stale);
                    removed.Add(stale);
                }
            }
        }

        var next = paths.NextLink(name);
        if (LineageReader.IsSymbolicLink(next))
        {
            fileSystem.DeleteFile(next);
            removed.Add(next);
        }
        else if (Directory.Exists(next))
        {
            // certbot's directory, swapped out by RENAME_EXCHANGE, whose move to .NAME.vK did not happen.
            liveSwitch.ParkCertbotDirectory(name, next);
        }

        if (Directory.Exists(paths.LiveRoot))
        {
            foreach (var partial in Directory.EnumerateDirectories(paths.LiveRoot, "." + name + ".v*.partial"))
            {
                if (LineagePaths.ParseVersionDirectory(name, Path.GetFileName(partial), partial: true) is not null)
                {
                    fileSystem.DeleteDirectory(partial);
                    removed.Add(partial);
                }
            }
        }

        removed.AddRange(RemoveUnswitchedVersions(name));
        if (removed.Count > 0)
        {
            fileSystem.SyncIfExists(paths.ArchiveDirectory(name));
            fileSystem.SyncIfExists(paths.LiveRoot);
            if (outcome == RecoveryOutcome.Clean)
            {
                outcome = RecoveryOutcome.LeftoversRemoved;
            }
        }

        var result = new LineageRecovery(name, outcome, reader.ReadLive(name).Version, removed);
        if (outcome != RecoveryOutcome.Clean)
        {
            StorageLog.Recovered(logger, name, outcome, result.LiveVersion, removed);
        }

        return result;
    }

    /// <summary>
    /// CertDaemon's archive files without a version directory belong to a commit that never switched, or to a prune
    /// that was interrupted: nothing can be using them. Only versions recorded as written by CertDaemon (with that
    /// serial) qualify: certbot renewing behind our back writes such files too.
    /// </summary>
    private List<string> RemoveUnswitchedVersions(string name)
    {
        var removed = new List<string>();
        if (metadata.ReadLineageMarker(name) is not { Written: not null } marker)
        {
            return removed;
        }

        var liveVersion = reader.ReadLive(name).Version;
        foreach (var (version, parts) in reader.ArchiveVersions(name))
        {
            if (version != liveVersion && !Directory.Exists(paths.VersionDirectory(name, version)) && reader.IsOwnVersion(name, marker, version))
            {
                foreach (var part in parts)
                {
                    var path = paths.ArchiveFile(name, part, version);
                    fileSystem.DeleteFile(path);
                    removed.Add(path);
                }
            }
        }

        return removed;
    }
}
