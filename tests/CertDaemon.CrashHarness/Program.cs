using System.Text.Json;
using CertDaemon.Configuration;
using CertDaemon.Deployment;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Processes;
using CertDaemon.Hosting;
using CertDaemon.Storage;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: CertDaemon.CrashHarness CERTIFICATE_DIRECTORY NAME
//    or: CertDaemon.CrashHarness renew-until CONFIG NAME STEP (see RenewUntil: a forced renewal stopped at one step)
// Prepares a few certificate sets, commits one (warm-up), prints "ready", then commits them in a loop (printing "committed N") until it is
// killed. Key generation happens before "ready" so that nearly all of the time after it is spent inside commits.
// With CRASH_HARNESS_NGINX set to {"TestCommand":[...],"ReloadCommand":[...],"VerifyAddress":"127.0.0.1:P"}, every
// commit is followed by the real nginx deployment (test, reload or roll back, served-serial check): "deployed N".
if (args is ["renew-until", .. var rest])
{
    return await CertDaemon.CrashHarness.RenewUntil.RunAsync(rest);
}

if (args.Length != 2)
{
    await Console.Error.WriteLineAsync("usage: CertDaemon.CrashHarness CERTIFICATE_DIRECTORY NAME");
    return 2;
}

using var certificates = new TestCertificates();
var materials = Enumerable.Range(0, 4).Select(_ => certificates.Issue(args[1])).ToList();
var store = new CertificateStore(args[0], new CertificateStoreOptions { KeepVersions = 3 }, TimeProvider.System, NullLogger.Instance);
NginxDeployer? nginx = null;
if (Environment.GetEnvironmentVariable("CRASH_HARNESS_NGINX") is { Length: > 0 } nginxJson)
{
    using var document = JsonDocument.Parse(nginxJson);
    string[] Argv(string property) => [.. document.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];
    var options = new NginxOptions
    {
        TestCommand = Argv("TestCommand"),
        ReloadCommand = Argv("ReloadCommand"),
        VerifyAddress = document.RootElement.GetProperty("VerifyAddress").GetString(),
    };
    nginx = new NginxDeployer(
        options, new CommandRunner(TimeProvider.System), new ServedCertificateProbe(TimeProvider.System), LiveRollback.For(store),
        TimeProvider.System, NullLogger<NginxDeployer>.Instance);
}

// One unreported round before "ready": the first commit (and deployment) of a process pays for JIT compilation and
// first file-system use, hundreds of milliseconds on a loaded machine. Without it most kill delays counted from
// "ready" end before the first commit starts, and such kills prove nothing about a commit being interrupted.
await CommitAndDeployAsync(0);
await Console.Out.WriteLineAsync("ready");
for (var i = 1; ; i++)
{
    var (version, deployed) = await CommitAndDeployAsync(i);
    await Console.Out.WriteLineAsync($"committed {version}");
    if (deployed is not null)
    {
        await Console.Out.WriteLineAsync($"deployed {version} {deployed}");
    }
}

async Task<(int Version, string? Deployed)> CommitAndDeployAsync(int i)
{
    var stored = await store.CommitAsync(args[1], materials[i % materials.Count], CancellationToken.None);
    if (nginx is null)
    {
        return (stored.Version, null);
    }

    var result = await nginx.DeployAsync(new DeploymentContext(args[1], [args[1]], stored.Serial, store.LivePath(args[1])), CancellationToken.None);
    return (stored.Version, result.GetType().Name);
}
