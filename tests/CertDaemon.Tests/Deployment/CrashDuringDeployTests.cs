using System.Text.Json;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Tests.Storage;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Deployment;

/// <summary>
/// The crash harness commits a version and deploys it to a real nginx (test, reload, served check) in a loop and is
/// SIGKILLed at random points, at least 50 times. After every kill the live pair is complete and matching; after the
/// next start's recovery too; and nginx, tested again, accepts the live files and serves a matching pair.
/// </summary>
public sealed class CrashDuringDeployTests(ITestOutputHelper output)
{
    private const string Name = "deploy-crash.example";
    private const int Kills = 50;

    [Fact]
    public async Task Sigkill_during_commit_and_nginx_deploy_never_leaves_a_torn_live_pair()
    {
        using var dir = new StoreTestDirectory();
        using var ca = new TestCertificates();
        var store = new CertificateStore(dir.Root, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        await store.CommitAsync(Name, ca.Issue(Name), CancellationToken.None);
        var live = store.LivePath(Name);
        await using var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite([Name], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
        });
        var environment = new Dictionary<string, string?>
        {
            ["CRASH_HARNESS_NGINX"] = JsonSerializer.Serialize(new { nginx.TestCommand, nginx.ReloadCommand, VerifyAddress = nginx.Address }),
        };

        await FailureReport.WithLogsAsync(output, () => nginx.Logs, async () =>
        {
            var harness = CrashHarnessRunner.HarnessPath();
            var seed = Environment.TickCount;
            var random = new Random(seed);
            output.WriteLine($"seed {seed}");
            var commits = 0;
            var deploys = 0;
            for (var kill = 0; kill < Kills; kill++)
            {
                // Every tenth run lives long enough to finish whole commit+deploy cycles, whatever the machine's load;
                // the others die at random points, most of them inside a commit or an nginx test/reload.
                var delay = kill % 10 == 0 ? TimeSpan.FromSeconds(3) : TimeSpan.FromMilliseconds(random.Next(0, 600));
                var (committed, deployed) = await CrashHarnessRunner.RunAndKillAsync(harness, dir.Root, Name, delay, environment);
                commits += committed;
                deploys += deployed;
                var where = $"kill {kill}";
                Assert.True(StoreLayout.LiveSetProblem(dir.Root, Name) is null, $"{where}: {StoreLayout.LiveSetProblem(dir.Root, Name)}");

                await store.RecoverAsync(CancellationToken.None);
                Assert.True(StoreLayout.LiveSetProblem(dir.Root, Name) is null, $"{where}, after recovery: {StoreLayout.LiveSetProblem(dir.Root, Name)}");
            }

            // nginx itself accepts what is live, and what it serves is one of our complete versions.
            var test = await new CertDaemon.Processes.CommandRunner(TimeProvider.System).RunAsync(nginx.TestCommand, TimeSpan.FromSeconds(30));
            Assert.True(test.Succeeded, test.Output);
            var served = await TlsHandshake.ServedSerialAsync(nginx.Port, Name);
            Assert.Contains(served, store.GetVersions(Name).Select(v => v.Serial));
            output.WriteLine($"{Kills} kills, {commits} commits and {deploys} nginx deployments completed in between");
            Assert.True(deploys > 0, "the harness never completed a deployment, so no kill could land inside one");
        });
    }
}
