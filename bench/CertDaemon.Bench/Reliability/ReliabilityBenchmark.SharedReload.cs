using CertDaemon.Bench.Infrastructure;
using CertDaemon.Deployment;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Hosting;
using CertDaemon.Processes;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// Part <c>reload-batch</c>: nginx under a keep-alive wrk load while several certificates are renewed per round,
/// deployed (a) one reload each, as when their renewals finish apart, and (b) as the daemon does for certificates
/// renewed in one check: ordered (a stand-in pause, --order-ms) and committed under the issuance throttle (2 slots),
/// then sharing one test and one reload. Every reload
/// resets the keep-alive connections, so the read errors wrk counts follow the number of reloads.
/// </summary>
internal static partial class ReliabilityBenchmark
{
    private static async Task SharedReloadAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var rounds = context.Int("reload-rounds", 10, 4);
        var perRound = context.Int("reload-certificates", 4, 2);
        var orderTime = TimeSpan.FromMilliseconds(context.Int("order-ms", 500, 500));
        var results = new Dictionary<string, object>();
        foreach (var shared in new[] { false, true })
        {
            var root = Path.Combine(Path.GetTempPath(), "certdaemon-bench-reload-" + Guid.NewGuid().ToString("N"));
            var store = new CertificateStore(root, new CertificateStoreOptions { KeepVersions = 3 }, TimeProvider.System, NullLogger.Instance);
            var names = Enumerable.Range(0, perRound).Select(i => $"r{i}.example.test").ToList();
            using var ca = new TestCertificates("Bench CA");
            foreach (var name in names)
            {
                await store.CommitAsync(name, ca.Issue(name), CancellationToken.None);
            }

            await using var nginx = await NginxServer.StartAsync(new NginxServerOptions
            {
                Sites = [.. names.Select(n => new NginxSite([n], Path.Combine(store.LivePath(n), "fullchain.pem"), Path.Combine(store.LivePath(n), "privkey.pem")))],
            });
            using var throttle = new IssuanceThrottle(2, TimeProvider.System);
            using var deployer = new NginxDeployer(
                nginx.ToNginxOptions(), new CommandRunner(TimeProvider.System), new ServedCertificateProbe(TimeProvider.System, null),
                LiveRollback.For(store), TimeProvider.System, NullLogger<NginxDeployer>.Instance, shared ? throttle : null);

            var reloadsBefore = nginx.ReloadSignalCount;
            var seconds = context.Int("wrk-seconds", 60, 20);
            var wrk = ProcessRun.RunAsync("wrk", ["-t1", "-c8", $"-d{seconds}s", $"https://{nginx.Address}/"], timeout: TimeSpan.FromSeconds(seconds + 60));
            await Task.Delay(2000);
            var started = TimeProvider.System.GetTimestamp();
            var deployed = 0;
            for (var round = 0; round < rounds; round++)
            {
                var materials = names.Select(n => ca.Issue(n)).ToList();
                if (shared)
                {
                    // The daemon's path: each renewal commits under a throttle slot, then deploys; nginx waits for the others.
                    await Task.WhenAll(names.Select(async (name, i) =>
                    {
                        using var issuance = await throttle.EnterAsync(name, CancellationToken.None);
                        await Task.Delay(orderTime); // the CA's part of an issuance, which never takes no time
                        var stored = await store.CommitAsync(name, materials[i], CancellationToken.None);
                        issuance.ReleaseSlot();
                        return await deployer.DeployAsync(new DeploymentContext(name, [name], stored.Serial, store.LivePath(name)), CancellationToken.None);
                    }));
                }
                else
                {
                    for (var i = 0; i < names.Count; i++)
                    {
                        var stored = await store.CommitAsync(names[i], materials[i], CancellationToken.None);
                        await deployer.DeployAsync(new DeploymentContext(names[i], [names[i]], stored.Serial, store.LivePath(names[i])), CancellationToken.None);
                    }
                }

                deployed += names.Count;
            }

            var elapsed = TimeProvider.System.GetElapsedTime(started);
            var reloads = nginx.ReloadSignalCount - reloadsBefore;
            var result = await wrk;
            var output = result.Output + result.Error;
            var socket = SocketErrorsLine().Match(output);
            var errors = socket.Success ? socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture)) : 0;
            var total = Number(RequestsLine().Match(output));
            var label = shared ? "renewed in one check (shared test + reload)" : "one reload per certificate";
            table.Add($"nginx under wrk (1 thread, 8 keep-alive connections, TLS) while {rounds} rounds × {perRound} certificates are deployed, {label}",
                $"{deployed} deployments, {reloads} reloads in {elapsed.TotalSeconds:F1} s; {total} requests, {errors} socket errors ({(socket.Success ? socket.Value : "none")})",
                shared ? $"1 reload per round ({rounds})" : "-", shared ? (reloads == rounds ? "met" : "MISSED") : "-");
            results[shared ? "shared" : "separate"] = new { rounds, perRound, deployed, reloads, seconds = elapsed.TotalSeconds, total, errors, output };
            Directory.Delete(root, recursive: true);
        }

        data["reload-batch"] = results;
    }
}
