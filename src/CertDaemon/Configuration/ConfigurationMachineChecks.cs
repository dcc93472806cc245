using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Processes;

namespace CertDaemon.Configuration;

/// <summary>
/// The checks that look at this machine rather than at the values: the configured programs are on PATH and
/// executable, <c>Acme.TrustedCaFile</c> parses, the directories exist or can be created (and are writable unless the
/// command only reads), the metrics textfile's directory exists. Each reports with the value's JSON path and never
/// changes anything on disk.
/// </summary>
internal static class ConfigurationMachineChecks
{
    /// <summary>The program of a non-empty argv list (<paramref name="path"/><c>[0]</c>) exists and is executable.</summary>
    /// <param name="searchPath">The PATH to look on; null means systemd's default PATH.</param>
    public static void Program(string program, string path, string? searchPath, Action<string, string> report)
    {
        if (ExecutableLocator.Check(program, searchPath) is { } error)
        {
            report(path, error);
        }
    }

    public static void TrustedCaFile(string file, Action<string, string> report)
    {
        const string path = "$.Acme.TrustedCaFile";
        if (!Path.IsPathFullyQualified(file))
        {
            report(path, $"\"{file}\" must be an absolute path");
            return;
        }

        if (!File.Exists(file))
        {
            report(path, $"\"{file}\" does not exist");
            return;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(file);
            if (certificates.Count == 0)
            {
                report(path, $"\"{file}\" contains no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            report(path, $"\"{file}\" cannot be read as PEM certificates: {e.Message}");
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>An absolute directory that exists or can be created, writable by this user unless <paramref name="readOnly"/>.</summary>
    public static void Directory(string directory, string path, bool readOnly, Action<string, string> report)
    {
        if (!Path.IsPathFullyQualified(directory))
        {
            report(path, $"\"{directory}\" must be an absolute path");
            return;
        }

        if (File.Exists(directory))
        {
            report(path, $"\"{directory}\" exists and is not a directory");
            return;
        }

        // The directory, or the nearest existing ancestor it would be created in, must be writable by us.
        var existing = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        while (!System.IO.Directory.Exists(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null || File.Exists(parent))
            {
                report(path, $"\"{directory}\" cannot be created: \"{parent ?? existing}\" is not a directory");
                return;
            }

            existing = parent;
        }

        if (!readOnly && !UnixFileAccess.CanCreateIn(existing))
        {
            report(path, existing == Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory))
                ? $"\"{directory}\" is not writable by this user"
                : $"\"{directory}\" cannot be created: \"{existing}\" is not writable by this user");
        }
    }

    /// <summary>The metrics textfile's directory exists (node_exporter's collector directory is never created for it).</summary>
    public static void TextfileDirectory(string textfile, Action<string, string> report)
    {
        if (Path.GetDirectoryName(textfile) is { } directory && !System.IO.Directory.Exists(directory))
        {
            report(MonitoringOptionsRules.TextfilePath, $"the directory \"{directory}\" does not exist (node_exporter's --collector.textfile.directory)");
        }
    }
}
