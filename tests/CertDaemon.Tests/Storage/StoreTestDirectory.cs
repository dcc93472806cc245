using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Storage;

/// <summary>A fresh certificate directory per test, removed afterwards.</summary>
internal sealed class StoreTestDirectory : IDisposable
{
    public StoreTestDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "certdaemon-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public CertificateStore Store(CertificateStoreOptions? options = null, IStoreFileSystem? fileSystem = null) =>
        new(Root, options ?? new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance, fileSystem ?? LinuxFileSystem.Instance);

    public string Live(string name, string part) => Path.Combine(Root, "live", name, part + ".pem");

    public string Archive(string name, string part, int version) => Path.Combine(Root, "archive", name, $"{part}{version}.pem");

    /// <summary>Builds certbot's layout for NAME with versions 1..count, live linking the last one, plus renewal/NAME.conf.</summary>
    public void CreateCertbotLineage(string name, TestCertificates ca, int count)
    {
        var archive = Path.Combine(Root, "archive", name);
        var live = Path.Combine(Root, "live", name);
        Directory.CreateDirectory(archive, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(live);
        for (var version = 1; version <= count; version++)
        {
            var material = ca.Issue(name);
            File.WriteAllText(Path.Combine(archive, $"cert{version}.pem"), material.NormalizedCertificatePem);
            File.WriteAllText(Path.Combine(archive, $"chain{version}.pem"), material.NormalizedChainPem);
            File.WriteAllText(Path.Combine(archive, $"fullchain{version}.pem"), material.FullChainPem);
            File.WriteAllText(Path.Combine(archive, $"privkey{version}.pem"), material.NormalizedPrivateKeyPem);
        }

        foreach (var part in StoreLayout.Parts)
        {
            File.CreateSymbolicLink(Path.Combine(live, part + ".pem"), $"../../archive/{name}/{part}{count}.pem");
        }

        Directory.CreateDirectory(Path.Combine(Root, "renewal"));
        File.WriteAllText(Path.Combine(Root, "renewal", name + ".conf"), $"version = 2.1.0\narchive_dir = {archive}\ncert = {live}/cert.pem\n");
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
