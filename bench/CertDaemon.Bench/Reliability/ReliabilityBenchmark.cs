using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Bench.Issuance;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// Item 5: (a) SIGKILL at random points of commit + nginx deploy cycles: torn or mismatched live pairs, recoveries;
/// (b) issuances against pebble rejecting half the nonces and a Route53 that throttles and fails; (c) nginx under a
/// bounded wrk load through certificate rotations: failed requests.
/// </summary>
internal static partial class ReliabilityBenchmark
{
    private const string Name = "reliable.example.test";

    public static async Task<int> RunAsync(BenchContext context)
    {
        var table = new MarkdownTable("scenario", "result", "target", "verdict");
        var data = new Dictionary<string, object?>();
        var parts = (context.String("parts") ?? "crash,crash-steps,faults,load,reload-batch,adversarial").Split(',');
        if (parts.Contains("crash"))
        {
            await CrashAsync(context, table, data);
        }

        if (parts.Contains("crash-steps"))
        {
            await CrashStepsAsync(context, table, data);
        }

        if (parts.Contains("faults"))
        {
            await FaultsAsync(context, table, data);
        }

        if (parts.Contains("load"))
        {
            await LoadAsync(context, table, data, keepAlive: true);
            await LoadAsync(context, table, data, keepAlive: false);
        }

        if (parts.Contains("reload-batch"))
        {
            await SharedReloadAsync(context, table, data);
        }

        await AdversarialAsync(context, parts, table, data);

        context.Publish("reliability", table.ToString(), data);
        return 0;
    }

    private static async Task<(string Root, NginxServer Nginx, CertificateStore Store, string NginxJson)> StartStoreAndNginxAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-bench-rel-" + Guid.NewGuid().ToString("N"));
        var store = new CertificateStore(root, new CertificateStoreOptions { KeepVersions = 3 }, TimeProvider.System, NullLogger.Instance);
        using (var ca = new TestCertificates("Bench CA"))
        {
            await store.CommitAsync(Name, ca.Issue(Name), CancellationToken.None);
        }

        var live = Path.Combine(root, "live", Name);
        var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite([Name], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
        });
        return (root, nginx, store, JsonSerializer.Serialize(new { nginx.TestCommand, nginx.ReloadCommand, VerifyAddress = nginx.Address }));
    }

    private static async Task CrashAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var cycles = context.Int("crash-cycles", 200, 20);
        var seed = context.Int("seed", Environment.TickCount, Environment.TickCount);
        var random = new Random(seed);
        var (root, nginx, store, nginxJson) = await StartStoreAndNginxAsync();
        var torn = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var kills = 0;
        var deploys = 0;
        var commits = 0;
        await using (nginx)
        {
            while (deploys < cycles)
            {
                await using var harness = await CrashHarnessProcess.StartAsync(root, Name, nginxJson);
                // Random points: up to ~3 cycles in, so kills land in commits, nginx -t, reload and the served check alike.
                await Task.Delay(random.Next(0, 1500));
                await harness.KillAsync();
                kills++;
                deploys += harness.Deploys;
                commits += harness.Commits;
                if (StoreLayout.LiveSetProblem(root, Name) is { } problem)
                {
                    torn.Add($"kill {kills}: {problem}");
                }

                foreach (var recovery in await store.RecoverAsync(CancellationToken.None))
                {
                    outcomes[recovery.Outcome.ToString()] = outcomes.GetValueOrDefault(recovery.Outcome.ToString()) + 1;
                }

                if (StoreLayout.LiveSetProblem(root, Name) is { } after)
                {
                    torn.Add($"kill {kills}, after recovery: {after}");
                }
            }
        }

        Directory.Delete(root, recursive: true);
        var recovered = outcomes.Where(o => o.Key != nameof(RecoveryOutcome.Clean)).Sum(o => o.Value);
        table.Add($"SIGKILL at random points of commit + nginx deploy cycles (seed {seed})",
            $"{kills} kills over {deploys} completed deploys ({commits} commits): {torn.Count} torn/mismatched live pairs; recoveries: " +
            string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")),
            "0 torn", torn.Count == 0 ? "met" : "MISSED");
        data["crash"] = new { seed, kills, deploys, commits, torn, outcomes, recovered };
    }

    private static async Task FaultsAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var count = context.Int("fault-issuances", 50, 5);
        await using var testbed = await IssuanceTestbed.StartAsync(
            new PebbleOptions { NonceRejectPercent = 50, AuthorizationReusePercent = 0 }, TimeSpan.FromSeconds(2));
        await using var proxy = await RetryAfterProxy.StartAsync(testbed.Route53.Endpoint, retryAfterSeconds: 1);
        var tool = new CertDaemonTool(testbed) { Route53EndpointOverride = proxy.Endpoint };
        var warm = await tool.IssueAsync("warmup", ["warmup.example.test"], CancellationToken.None);
        testbed.Route53.Faults.ThrottlingProbability = 0.3;
        testbed.Route53.Faults.InternalErrorProbability = 0.1;
        var before = testbed.Snapshot();
        var beforeOk = Enum.GetValues<Route53Operation>().Sum(o => testbed.Route53.GetStats(o).Succeeded);
        var succeeded = 0;
        var walls = new List<double>();
        var failures = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = $"f{i:00}";
            var run = await tool.IssueAsync(name, [$"{name}.example.test", $"*.{name}.example.test"], CancellationToken.None);
            if (run.Succeeded)
            {
                succeeded++;
                walls.Add(run.Wall.TotalSeconds);
            }
            else
            {
                failures.Add(run.Tail(10));
                BenchContext.Log($"fault issuance {name} failed: {run.Tail(10)}");
            }
        }

        var requests = Enum.GetValues<Route53Operation>().Sum(o => testbed.Route53.GetStats(o).Requests - before[o]);
        var succeededRequests = Enum.GetValues<Route53Operation>().Sum(o => testbed.Route53.GetStats(o).Succeeded) - beforeOk;
        var wall = Summary.Of(walls);
        var gaps = Summary.Of(proxy.RetryGaps);
        // 10 ms of tolerance: the proxy's clock readings and the client's timer are not the same instant.
        var early = proxy.RetryGaps.Count(g => g < proxy.RetryAfterSeconds - 0.010);
        table.Add($"{count} issuances (apex + wildcard), pebble rejecting 50% of nonces, Route53 throttling 30% and 5xx 10%",
            $"{succeeded}/{count} succeeded (warm-up {(warm.Succeeded ? "ok" : "failed")}); wall s {wall.Format()}; Route53 requests {requests}, of which " +
            $"{requests - succeededRequests} answered with a fault and retried",
            $"{count}/{count}", succeeded == count ? "met" : "MISSED");
        table.Add($"Retry-After honoured: a proxy adds `Retry-After: {proxy.RetryAfterSeconds}` to every Throttling answer of the run above",
            $"{proxy.ThrottledWithRetryAfter} throttled answers; {proxy.RetryGaps.Count} retries seen, seconds until the retry {gaps.Format()}; {early} more than 10 ms earlier than Retry-After",
            "0 early", early == 0 ? "met" : "MISSED");
        data["faults"] = new { count, succeeded, walls, requests, failures, retryAfterGaps = proxy.RetryGaps, proxy.ThrottledWithRetryAfter };
    }

    private static async Task LoadAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data, bool keepAlive)
    {
        var rotations = context.Int("rotations", 20, 5);
        var (root, nginx, _, nginxJson) = await StartStoreAndNginxAsync();
        string wrkOutput;
        int deployed;
        await using (nginx)
        {
            // Bounded: 1 thread, 8 connections, for a fixed time that covers the rotations.
            var seconds = context.Int("wrk-seconds", 60, 20);
            var wrk = ProcessRun.RunAsync("wrk", ["-t1", "-c8", $"-d{seconds}s", "--latency", .. keepAlive ? Array.Empty<string>() : ["-H", "Connection: close"], $"https://{nginx.Address}/"], timeout: TimeSpan.FromSeconds(seconds + 60));
            await Task.Delay(2000);
            await using (var harness = await CrashHarnessProcess.StartAsync(root, Name, nginxJson))
            {
                while (harness.Deploys < rotations)
                {
                    await Task.Delay(50);
                }

                await harness.KillAsync();
                deployed = harness.Deploys;
            }

            var result = await wrk;
            wrkOutput = result.Output + result.Error;
        }

        Directory.Delete(root, recursive: true);
        var total = Number(RequestsLine().Match(wrkOutput));
        var socket = SocketErrorsLine().Match(wrkOutput);
        var non2xx = Number(Non2xxLine().Match(wrkOutput));
        var errors = socket.Success ? socket.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        table.Add($"nginx under wrk (1 thread, 8 connections, TLS, loopback, {(keepAlive ? "keep-alive" : "`Connection: close`")}) through {deployed} certificate rotations (commit, nginx -t, reload, served check)",
            $"{total} requests, {errors} socket errors ({(socket.Success ? socket.Value : "none")}), {non2xx} non-2xx",
            "0 failed", errors + non2xx == 0 ? "met" : "MISSED");
        data[keepAlive ? "load" : "load-connection-close"] = new { deployed, total, errors, non2xx, wrkOutput };
    }

    private static long Number(Match match) => match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xxLine();
}
