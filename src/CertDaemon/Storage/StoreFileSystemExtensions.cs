namespace CertDaemon.Storage;

/// <summary>Steps composed from <see cref="IStoreFileSystem"/> members, shared by the store's collaborators.</summary>
internal static class StoreFileSystemExtensions
{
    /// <summary>fsyncs <paramref name="directory"/> when it exists: cleanup paths run whether or not it was ever created.</summary>
    public static void SyncIfExists(this IStoreFileSystem fileSystem, string directory)
    {
        if (Directory.Exists(directory))
        {
            fileSystem.SyncDirectory(directory);
        }
    }
}
