using Microsoft.Extensions.Logging;

namespace CertDaemon.Storage;

/// <summary>
/// The store's three root directories (<c>archive/</c>, <c>live/</c>, <c>.certdaemon/</c>), made ready before an
/// operation on a lineage takes its lock (the lock file lives in <c>.certdaemon/</c>).
/// </summary>
internal sealed class StoreRoots(LineagePaths paths, IStoreFileSystem fileSystem, ILogger logger)
{
    /// <summary>
    /// Creates <c>archive/</c>, <c>live/</c> and <c>.certdaemon/</c> 0700 when missing. Existing <c>live/</c> and
    /// <c>archive/</c> keep the mode and group the operator gave them (a warning when group or others may write);
    /// <c>.certdaemon/</c> is tightened.
    /// </summary>
    public void Ensure(string name)
    {
        try
        {
            if (!Directory.Exists(paths.Root))
            {
                Directory.CreateDirectory(paths.Root, LineagePaths.PrivateDirectoryMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            foreach (var directory in new[] { paths.ArchiveRoot, paths.LiveRoot, paths.MetaRoot })
            {
                if (!Directory.Exists(directory))
                {
                    fileSystem.CreateDirectory(directory, LineagePaths.PrivateDirectoryMode);
                    fileSystem.SyncDirectory(paths.Root);
                    continue;
                }

                var mode = File.GetUnixFileMode(directory);
                if (directory == paths.MetaRoot && (mode & LineagePaths.GroupOrOther) != 0)
                {
                    // CertDaemon's own bookkeeping: nobody else has a reason to read it.
                    File.SetUnixFileMode(directory, mode & ~LineagePaths.GroupOrOther);
                    StorageLog.PermissionsTightened(logger, directory, mode, mode & ~LineagePaths.GroupOrOther);
                }
                else if (directory != paths.MetaRoot && OperatorPermissions.IsLooserThanExpected(mode))
                {
                    // live/ and archive/ are the operator's: readers may depend on their mode. The keys carry the protection.
                    StorageLog.DirectoryWritableByOthers(logger, directory, mode);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertificateStoreException(name, $"Preparing {paths.Root} for '{name}' failed: {e.Message}. The live set is unchanged.", e);
        }
    }
}
