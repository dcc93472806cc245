using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Deploy;

/// <summary>
/// One real <c>deploy/install.sh</c> run (with its <c>dotnet publish</c>) into a temporary DESTDIR, shared by the
/// install tests; further runs install from its published files with <c>--from</c> instead of publishing again.
/// </summary>
public sealed class InstalledTree : IAsyncLifetime
{
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(8);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "certdaemon-install-tests", Guid.NewGuid().ToString("N"));

    public string DestDir => Path.Combine(Root, "published-root");

    /// <summary>The first install's program, the <c>--binary</c> source for later installs.</summary>
    public string InstalledBinary => Path.Combine(DestDir, "usr/local/bin/certdaemon");

    internal ScriptRun? FirstInstall { get; private set; }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        // The suite's native binary when scripts/test.sh published one; otherwise install.sh builds it from source.
        var native = Environment.GetEnvironmentVariable(CertDaemon.Sandbox.SandboxOptions.BinaryVariable);
        FirstInstall = await RunInstallAsync(DestDir, string.IsNullOrEmpty(native) ? [] : ["--binary", native], PublishTimeout);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Root, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>A new empty DESTDIR for one test.</summary>
    public string NewDestDir()
    {
        var path = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    internal static Task<ScriptRun> RunInstallAsync(string destDir, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        ScriptRun.RunAsync(
            "bash",
            [Path.Combine(RepositoryRoot.Path, "deploy/install.sh"), .. arguments],
            new Dictionary<string, string?> { ["DESTDIR"] = destDir },
            timeout ?? TimeSpan.FromMinutes(2));
}
