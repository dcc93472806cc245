using System.Globalization;
using CertDaemon.Bench.Footprint;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Bench.Issuance;
using CertDaemon.Testbed.Pebble;

namespace CertDaemon.Bench.Native;

/// <summary>
/// Item 6: the Native AOT binary beside the JIT build, same machine, one run: <c>status</c> / <c>status --json</c> cold
/// start with 100 configured certificates, <c>run</c> idle with the same 100, <c>config check</c> and a planning pass
/// (<c>status --json</c>) over 10,000 configured certificates, issuance (apex + wildcard, INSYNC after 2 s), and sizes.
/// </summary>
/// <remarks>
/// <c>--native PATH</c> (default artifacts/native/linux-x64/certdaemon, from eng/publish.sh), <c>--arm64 PATH</c>
/// (default artifacts/native/linux-arm64/certdaemon, only its size), the JIT build as every other benchmark runs it.
/// </remarks>
internal static class NativeBenchmark
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var native = context.String("native") ?? Path.Combine(repository, "artifacts", "native", "linux-x64", "certdaemon");
        var arm64 = context.String("arm64") ?? Path.Combine(repository, "artifacts", "native", "linux-arm64", "certdaemon");
        if (!File.Exists(native))
        {
            BenchContext.Log($"{native} is missing: build it with eng/publish.sh (or pass --native PATH)");
            return 1;
        }

        var builds = new (string Label, string Program)[] { ("JIT", BenchContext.CertDaemonPath), ("native", native) };
        var runs = context.Int("runs", 10, 3);
        var bigRuns = context.Int("big-runs", 3, 1);
        var idleSeconds = context.Int("idle-seconds", 120, 20);
        var large = context.Int("certificates", 10_000, 2_000);
        var issuances = context.Int("issuances", 5, 2);
        var parts = (context.String("parts") ?? "status,idle,big,issuance").Split(',');
        var table = new MarkdownTable("measurement", "JIT", "native", "target (native)", "verdict");
        var data = new Dictionary<string, object?>();

        var home = Path.Combine(Path.GetTempPath(), "certdaemon-bench-native-" + Guid.NewGuid().ToString("N"));
        try
        {
            var hundred = await GeneratedCertificates.CreateAsync(Path.Combine(home, "100"), 100, configured: true, new Uri("https://127.0.0.1:14000/dir"), liveFiles: true);
            foreach (var arguments in parts.Contains("status") ? new[] { new[] { "status" }, ["status", "--json"] } : [])
            {
                var samples = await ForEachBuildAsync(builds, runs, program => ProcessRun.RunAsync(program, [.. arguments, "--config", hundred], GeneratedCertificates.Environment, measure: true));
                var label = "certdaemon " + string.Join(' ', arguments);
                AddRow(table, $"`{label}` cold start, 100 certificates, wall ms (median, min-max, n={runs})", samples, s => s.Wall.TotalMilliseconds, "F0", 30, "ms");
                AddRow(table, $"`{label}` CPU ms", samples, s => s.Cpu.TotalMilliseconds, "F0", null, "ms");
                AddRow(table, $"`{label}` peak RSS MB", samples, s => s.PeakRssBytes / 1048576.0, "F0", null, "MB");
                data[label] = samples.ToDictionary(p => p.Key, p => p.Value.Select(Row));
            }

            var idle = new Dictionary<string, FootprintBenchmark.IdleResult>();
            foreach (var (label, program) in parts.Contains("idle") ? builds : [])
            {
                BenchContext.Log($"{label}: run idle {idleSeconds} s");
                idle[label] = await FootprintBenchmark.MeasureIdleAsync(hundred, TimeSpan.FromSeconds(idleSeconds), new Dictionary<string, string>(), program);
            }

            if (idle.Count > 0)
            {
                table.Add($"`certdaemon run` idle RSS MB, 100 certificates, {idleSeconds} s after 10 s start-up (median, max)",
                    $"{idle["JIT"].RssMedianMb:F1} (max {idle["JIT"].RssMaxMb:F1})", $"{idle["native"].RssMedianMb:F1} (max {idle["native"].RssMaxMb:F1})",
                    "≤ 40 MB", idle["native"].RssMaxMb <= 40 ? "met" : $"missed by {idle["native"].RssMaxMb - 40:F1} MB");
                table.Add($"`certdaemon run` CPU ms during those {idleSeconds} s (seconds with any CPU); start-up CPU ms",
                    $"{idle["JIT"].IdleCpuMs:F0} ({idle["JIT"].ActiveSeconds} s); {idle["JIT"].StartupCpuMs:F0}",
                    $"{idle["native"].IdleCpuMs:F0} ({idle["native"].ActiveSeconds} s); {idle["native"].StartupCpuMs:F0}",
                    "~0", idle["native"].IdleCpuMs <= 50 ? "met" : "see text");
                table.Add("same: of the RSS at the end, MB anonymous (heaps, stacks) + file-backed (the program's pages)",
                    $"{idle["JIT"].RssAnonMb:F1} + {idle["JIT"].RssFileMb:F1}", $"{idle["native"].RssAnonMb:F1} + {idle["native"].RssFileMb:F1}", "-", "-");
                data["run idle"] = idle;
            }

            var big = parts.Contains("big") ? await GeneratedCertificates.CreateAsync(Path.Combine(home, "big"), large, configured: true, new Uri("https://127.0.0.1:14000/dir")) : "";
            foreach (var arguments in parts.Contains("big") ? new[] { new[] { "config", "check" }, ["status", "--json"] } : [])
            {
                var samples = await ForEachBuildAsync(builds, bigRuns, program => ProcessRun.RunAsync(program, [.. arguments, "--config", big], GeneratedCertificates.Environment, TimeSpan.FromMinutes(10), measure: true));
                var label = "certdaemon " + string.Join(' ', arguments);
                AddRow(table, $"`{label}`, {large:N0} configured certificates, CPU s (n={bigRuns})", samples, s => s.Cpu.TotalSeconds, "F2", 2, "s");
                AddRow(table, $"same, peak RSS MB", samples, s => s.PeakRssBytes / 1048576.0, "F0", null, "MB");
                data[label + " " + large] = samples.ToDictionary(p => p.Key, p => p.Value.Select(Row));
            }

            if (parts.Contains("issuance"))
            {
                await using (var testbed = await IssuanceTestbed.StartAsync(
                    new PebbleOptions { NonceRejectPercent = 0, AuthorizationReusePercent = 0, NoValidationSleep = true }, TimeSpan.FromSeconds(2)))
                {
                    var issued = new Dictionary<string, List<ProcessRun>>();
                    var tools = builds.Select(b => (b.Label, Tool: new CertDaemonTool(testbed, name: "certdaemon-" + b.Label.ToLowerInvariant(), program: b.Program))).ToList();
                    foreach (var (label, tool) in tools)
                    {
                        var warm = await tool.IssueAsync("warmup", ["warmup.example.test"], CancellationToken.None);
                        BenchContext.Log($"{label}: warm-up issuance {(warm.Succeeded ? "ok" : "FAILED: " + warm.Tail())}");
                        issued[label] = [];
                    }

                    // Interleaved, so both builds see the same machine load.
                    for (var i = 0; i < issuances; i++)
                    {
                        foreach (var (label, tool) in tools)
                        {
                            var lineage = $"pair{i}";
                            var zone = $"{label.ToLowerInvariant()}{i}.example.test";
                            var run = await tool.IssueAsync(lineage, [zone, "*." + zone], CancellationToken.None);
                            BenchContext.Log($"{label} apex+wildcard #{i}: {(run.Succeeded ? "ok" : "FAILED")} {run.Wall.TotalSeconds:F2} s");
                            issued[label].Add(run);
                        }
                    }

                    AddRow(table, $"issuance, apex + wildcard, INSYNC after 2 s: wall s (n={issuances})", issued, s => s.Wall.TotalSeconds, "F2", null, "s");
                    table.Add("same: overhead above the 2 s INSYNC wait, s (median)",
                        $"{Median(issued["JIT"], s => s.Wall.TotalSeconds) - 2:F2}", $"{Median(issued["native"], s => s.Wall.TotalSeconds) - 2:F2}", "-", "-");
                    AddRow(table, "same: CPU s", issued, s => s.Cpu.TotalSeconds, "F2", null, "s");
                    AddRow(table, "same: peak RSS MB", issued, s => s.PeakRssBytes / 1048576.0, "F0", null, "MB");
                    data["issuance"] = issued.ToDictionary(p => p.Key, p => p.Value.Select(Row));
                }
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        var jitDirectory = Path.GetDirectoryName(BenchContext.CertDaemonPath)!;
        var jitBytes = new DirectoryInfo(jitDirectory).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.Extension is ".dll" or "" && !f.Name.EndsWith(".pdb", StringComparison.Ordinal)).Sum(f => f.Length);
        table.Add("size on disk, MB (JIT: the build output's assemblies, plus a .NET 10 runtime on the host)",
            $"{jitBytes / 1048576.0:F1} + runtime", $"x64 {Size(native)}; arm64 {(File.Exists(arm64) ? Size(arm64) : "not built")}", "-", "-");
        context.Publish("native", table.ToString(), data);
        return 0;
    }

    private static string Size(string path) => (new FileInfo(path).Length / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

    private static object Row(ProcessRun run) => new { run.ExitCode, WallMs = run.Wall.TotalMilliseconds, CpuMs = run.Cpu.TotalMilliseconds, run.PeakRssBytes };

    private static double Median(IReadOnlyCollection<ProcessRun> runs, Func<ProcessRun, double> value) =>
        Summary.Of([.. runs.Where(r => r.Succeeded).Select(value)]).Median;

    /// <summary>Runs each build <paramref name="runs"/> times, alternating, so both see the same machine load.</summary>
    private static async Task<Dictionary<string, List<ProcessRun>>> ForEachBuildAsync(
        IReadOnlyList<(string Label, string Program)> builds, int runs, Func<string, Task<ProcessRun>> run)
    {
        var samples = builds.ToDictionary(b => b.Label, _ => new List<ProcessRun>());
        for (var i = 0; i < runs; i++)
        {
            foreach (var (label, program) in builds)
            {
                var result = await run(program);
                if (!result.Succeeded)
                {
                    BenchContext.Log($"{label}: exit {result.ExitCode}: {result.Tail(5)}");
                }

                samples[label].Add(result);
            }
        }

        return samples;
    }

    private static void AddRow(MarkdownTable table, string measurement, Dictionary<string, List<ProcessRun>> samples, Func<ProcessRun, double> value, string format, double? target, string unit)
    {
        string Cell(string label) => Summary.Of([.. samples[label].Where(r => r.Succeeded).Select(value)]).Format(format)
            + (samples[label].Any(r => !r.Succeeded) ? $" ({samples[label].Count(r => !r.Succeeded)} failed)" : "");
        var native = Summary.Of([.. samples["native"].Where(r => r.Succeeded).Select(value)]);
        table.Add(measurement, Cell("JIT"), Cell("native"),
            target is { } t ? $"≤ {t.ToString(CultureInfo.InvariantCulture)} {unit}" : "-",
            target is { } limit ? (native.Count > 0 && native.Median <= limit ? "met" : $"missed ({native.Median.ToString(format, CultureInfo.InvariantCulture)} {unit})") : "-");
    }
}
