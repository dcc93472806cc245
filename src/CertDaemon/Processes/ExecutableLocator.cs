namespace CertDaemon.Processes;

/// <summary>Finds the program of an argv list the way execvp(3) would: an absolute path as is, a bare name on PATH.</summary>
internal static class ExecutableLocator
{
    /// <summary>systemd's PATH for services, used when no PATH is set.</summary>
    public const string DefaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Why <paramref name="program"/> cannot be run, or <see langword="null"/> when it can.</summary>
    public static string? Check(string program, string? searchPath)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            if (!Path.IsPathFullyQualified(program))
            {
                return $"\"{program}\" is a relative path; use an absolute path or a bare program name found on PATH";
            }

            return IsExecutableFile(program) ? null : $"\"{program}\" does not exist or is not an executable file";
        }

        var path = string.IsNullOrEmpty(searchPath) ? DefaultSearchPath : searchPath;
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            // Relative PATH entries depend on the working directory, which a daemon does not control.
            if (Path.IsPathFullyQualified(directory) && IsExecutableFile(Path.Combine(directory, program)))
            {
                return null;
            }
        }

        return $"program \"{program}\" was not found on PATH ({path})";
    }

    private static bool IsExecutableFile(string path) => File.Exists(path) && UnixFileAccess.CanExecute(path);
}
