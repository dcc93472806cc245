using System.Diagnostics;
using System.Globalization;
using CertDaemon.Bench.Infrastructure;

namespace CertDaemon.Bench.Footprint;

/// <summary>
/// Item 3: <c>certdaemon status</c> cold start with 100 configured certificates (process wall time, CPU, peak RSS),
/// and <c>certdaemon run</c> idle with the same 100 (RSS and CPU sampled from /proc every second).
/// </summary>
internal static class FootprintBenchmark
{
    public static async Task<int> RunAsync(BenchContext context)
    {
        var runs = context.Int("runs", 10, 3);
        var idleSeconds = context.Int("idle-seconds", 600, 30);
        var home = Path.Combine(Path.GetTempPath(), "certdaemon-bench-footprint-" + Guid.NewGuid().ToString("N"));
        var config = await GeneratedCertificates.CreateAsync(home, 100, configured: true, new Uri("https://127.0.0.1:14000/dir"));
        var table = new MarkdownTable("measurement", "median (min-max)", "runs", "target", "verdict");
        var data = new Dictionary<string, object?>();
        try
        {
            foreach (var arguments in new[] { new[] { "status" }, ["status", "--json"] })
            {
                var samples = new List<ProcessRun>();
                for (var i = 0; i < runs; i++)
                {
                    var run = await ProcessRun.RunAsync(BenchContext.CertDaemonPath, [.. arguments, "--config", config], GeneratedCertificates.Environment, measure: true);
                    if (!run.Succeeded)
                    {
                        BenchContext.Log($"status failed: {run.Tail()}");
                    }

                    samples.Add(run);
                }

                var label = "certdaemon " + string.Join(' ', arguments);
                var wall = Summary.Of([.. samples.Select(s => s.Wall.TotalMilliseconds)]);
                table.Add($"`{label}` cold start, 100 certificates, wall ms", wall.Format("F0"), runs.ToString(CultureInfo.InvariantCulture), "≤ 300 ms",
                    wall.Median <= 300 ? "met" : $"missed by {wall.Median - 300:F0} ms");
                table.Add($"`{label}` CPU ms (user+sys)", Summary.Of([.. samples.Select(s => s.Cpu.TotalMilliseconds)]).Format("F0"), runs.ToString(CultureInfo.InvariantCulture), "-", "-");
                table.Add($"`{label}` peak RSS MB", Summary.Of([.. samples.Select(s => s.PeakRssBytes / 1048576.0)]).Format("F0"), runs.ToString(CultureInfo.InvariantCulture), "-", "-");
                data[label] = samples.Select(s => new { s.ExitCode, WallMs = s.Wall.TotalMilliseconds, CpuMs = s.Cpu.TotalMilliseconds, s.PeakRssBytes });
            }

            // --run-env "DOTNET_gcConcurrent=0;DOTNET_GCgen0size=0x400000": runtime knobs to try on the daemon.
            var runEnvironment = (context.String("run-env") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            var idle = await MeasureIdleAsync(config, TimeSpan.FromSeconds(idleSeconds), runEnvironment);
            data["run idle"] = idle;
            if (idle.Unavailable is { } why)
            {
                table.Add("`certdaemon run` idle, 100 certificates", "not measured: " + why, "-", "≤ 60 MB, no CPU between checks", "not measured");
            }
            else
            {
                table.Add($"`certdaemon run` idle RSS MB over {idleSeconds} s (after start-up){(runEnvironment.Count == 0 ? "" : ", with " + string.Join(' ', runEnvironment.Select(p => p.Key + "=" + p.Value)))}", $"{idle.RssMedianMb:F1} (max {idle.RssMaxMb:F1})", "1", "≤ 60 MB",
                    idle.RssMaxMb <= 60 ? "met" : $"missed by {idle.RssMaxMb - 60:F1} MB");
                table.Add($"`certdaemon run` CPU ms during idle {idleSeconds} s (start-up: {idle.StartupCpuMs:F0} ms)", $"{idle.IdleCpuMs:F0} ({idle.ActiveSeconds} s with any CPU)", "1",
                    "no CPU between checks", idle.IdleCpuMs <= 50 ? "met" : "see text");
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        context.Publish("footprint", table.ToString(), data);
        return 0;
    }

    public sealed record IdleResult(string? Unavailable, double RssMedianMb, double RssMaxMb, double StartupCpuMs, double IdleCpuMs, int ActiveSeconds, IReadOnlyList<double> RssSamplesMb)
    {
        /// <summary>Of the RSS at the end: anonymous memory (GC and native heaps, thread stacks), MB.</summary>
        public double RssAnonMb { get; init; }

        /// <summary>Of the RSS at the end: file-backed pages (the program's own image, shared libraries), MB.</summary>
        public double RssFileMb { get; init; }
    }

    /// <summary><c>certdaemon run</c> (<paramref name="program"/>, default <see cref="BenchContext.CertDaemonPath"/>) idle for <paramref name="duration"/> after 10 s of start-up.</summary>
    internal static async Task<IdleResult> MeasureIdleAsync(string config, TimeSpan duration, IReadOnlyDictionary<string, string> extraEnvironment, string? program = null)
    {
        var psi = new ProcessStartInfo(program ?? BenchContext.CertDaemonPath, ["run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in GeneratedCertificates.Environment.Concat(extraEnvironment.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value))))
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        if (process.HasExited)
        {
            return new IdleResult($"`certdaemon run` exited with {process.ExitCode} ({(await error).Split('\n')[0].Trim()})", 0, 0, 0, 0, 0, []);
        }

        var startupCpu = CpuMs(process.Id);
        var rss = new List<double>();
        var previous = startupCpu;
        var active = 0;
        var end = TimeProvider.System.GetUtcNow() + duration;
        while (TimeProvider.System.GetUtcNow() < end && !process.HasExited)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            rss.Add(RssMb(process.Id));
            var cpu = CpuMs(process.Id);
            active += cpu > previous ? 1 : 0;
            previous = cpu;
        }

        var idleCpu = previous - startupCpu;
        var (anon, file) = (StatusMb(process.Id, "RssAnon:"), StatusMb(process.Id, "RssFile:"));
        process.Kill();
        await process.WaitForExitAsync();
        _ = await output;
        return new IdleResult(null, Summary.Of(rss).Median, rss.Max(), startupCpu, idleCpu, active, rss) { RssAnonMb = anon, RssFileMb = file };
    }

    private static double RssMb(int pid) => StatusMb(pid, "VmRSS:");

    private static double StatusMb(int pid, string field) =>
        File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
            .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).First();

    /// <summary>utime + stime of the process (all threads) in milliseconds, from /proc/PID/stat (clock ticks of 10 ms).</summary>
    private static double CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }
}
