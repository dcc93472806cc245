namespace CertDaemon.Tests.Testbed;

/// <summary>The source tree the tests were built from: the first parent of the test assembly holding CertDaemon.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "CertDaemon.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No CertDaemon.sln above {AppContext.BaseDirectory}");
    }
}
