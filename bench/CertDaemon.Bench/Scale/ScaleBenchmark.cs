using System.Diagnostics;
using System.Globalization;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Bench.Issuance;
using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Bench.Scale;

/// <summary>
/// Item 4. (a) One planning pass over 10,000 managed certificates, none due: <c>certdaemon status --json</c> reads the
/// configuration, every state file and runs the planner for each (CPU and peak RSS of the process). (b) Many
/// certificates issued in one go: <c>certdaemon issue</c> processes with bounded concurrency against certbot issuing
/// the same way one after another (certbot holds a lock on its configuration directory).
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var count = context.Int("certificates", 10_000, 2_000);
        var runs = context.Int("runs", 3, 1);
        var table = new MarkdownTable("measurement", "median (min-max)", "runs", "target", "verdict");
        var data = new Dictionary<string, object?>();
        foreach (var configured in new[] { true, false })
        {
            var home = Path.Combine(Path.GetTempPath(), "certdaemon-bench-scale-" + Guid.NewGuid().ToString("N"));
            var config = await GeneratedCertificates.CreateAsync(home, count, configured, new Uri("https://127.0.0.1:14000/dir"));
            var samples = new List<ProcessRun>();
            for (var i = 0; i < runs; i++)
            {
                var run = await ProcessRun.RunAsync(BenchContext.CertDaemonPath, ["status", "--json", "--config", config], GeneratedCertificates.Environment, measure: true);
                if (!run.Succeeded)
                {
                    BenchContext.Log("status failed: " + run.Tail());
                }
                else
                {
                    // Proof the pass covered every certificate and found nothing due.
                    using var statuses = System.Text.Json.JsonDocument.Parse(run.Output);
                    var listed = statuses.RootElement.GetArrayLength();
                    var due = statuses.RootElement.EnumerateArray().Count(s => s.TryGetProperty("renewAt", out var at) && at.ValueKind == System.Text.Json.JsonValueKind.String
                        && DateTimeOffset.Parse(at.GetString()!, CultureInfo.InvariantCulture) <= TimeProvider.System.GetUtcNow());
                    BenchContext.Log($"status --json listed {listed} certificates, {due} due");
                }

                samples.Add(run);
            }

            Directory.Delete(home, recursive: true);
            var kind = configured ? "configured" : "ad-hoc (state directory)";
            var cpu = Summary.Of([.. samples.Select(s => s.Cpu.TotalSeconds)]);
            var rss = Summary.Of([.. samples.Select(s => s.PeakRssBytes / 1048576.0)]);
            var n = runs.ToString(CultureInfo.InvariantCulture);
            table.Add($"`status --json` over {count} {kind} certificates, CPU s", cpu.Format(), n, "≤ 2 s", cpu.Median <= 2 ? "met" : $"missed by {cpu.Median - 2:F2} s");
            table.Add($"same, peak RSS MB", rss.Format("F0"), n, "≤ 300 MB", rss.Median <= 300 ? "met" : $"missed by {rss.Median - 300:F0} MB");
            table.Add($"same, wall s", Summary.Of([.. samples.Select(s => s.Wall.TotalSeconds)]).Format(), n, "-", "-");
            data[kind] = samples.Select(s => new { s.ExitCode, WallSeconds = s.Wall.TotalSeconds, CpuSeconds = s.Cpu.TotalSeconds, s.PeakRssBytes });
        }

        var ours = context.Int("issue-count", 200, 20);
        var certbots = context.Int("certbot-count", 20, 5);
        var concurrency = context.Int("concurrency", 2, 2);
        await using (var testbed = await IssuanceTestbed.StartAsync(new PebbleOptions { NonceRejectPercent = 0, AuthorizationReusePercent = 0 }, TimeSpan.FromSeconds(2)))
        {
            var certdaemon = new CertDaemonTool(testbed, concurrency);
            var certbot = new CertbotTool(testbed);
            await certdaemon.IssueAsync("warmup", ["warmup.example.test"], CancellationToken.None);
            await certbot.IssueAsync("warmup", ["warmup.example.test"], CancellationToken.None);

            var (ourRate, ourFailures, ourWall) = await IssueManyAsync(certdaemon, ours, concurrency);
            var (certbotRate, certbotFailures, certbotWall) = await IssueManyAsync(certbot, certbots, 1);
            table.Add($"certdaemon: {ours} certificates (apex + wildcard each), {concurrency} `issue` processes at a time, certificates/min",
                $"{ourRate:F1} ({ourWall:F0} s, {ourFailures} failed)", "1", "ahead of certbot", ourRate > certbotRate ? $"met ({ourRate / certbotRate:F1}x)" : "missed");
            table.Add($"certbot: {certbots} certificates one after another (manual hooks, INSYNC wait per record), certificates/min",
                $"{certbotRate:F1} ({certbotWall:F0} s, {certbotFailures} failed)", "1", "-", "-");
            data["issue-many"] = new { ours, ourRate, ourFailures, ourWall, certbots, certbotRate, certbotFailures, certbotWall, concurrency };
        }

        context.Publish("scale", table.ToString(), data);
        return 0;
    }

    private static async Task<(double PerMinute, int Failures, double WallSeconds)> IssueManyAsync(IssuingTool tool, int count, int concurrency)
    {
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var name = $"bulk{i:000}";
            var run = await tool.IssueAsync(name, [$"{name}.example.test", $"*.{name}.example.test"], ct);
            if (!run.Succeeded)
            {
                Interlocked.Increment(ref failures);
                BenchContext.Log($"{tool.Name} {name} failed: {run.Tail(5)}");
            }
        });
        BenchContext.Log($"{tool.Name}: {count} certificates in {stopwatch.Elapsed.TotalSeconds:F0} s, {failures} failed");
        return ((count - failures) / stopwatch.Elapsed.TotalMinutes, failures, stopwatch.Elapsed.TotalSeconds);
    }
}
