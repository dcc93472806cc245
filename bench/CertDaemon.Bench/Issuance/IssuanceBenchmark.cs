using System.Globalization;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;

namespace CertDaemon.Bench.Issuance;

/// <summary>
/// Items 1 and 2 (and issue 3's benchmark): wall time and Route53 API calls per issuance, CertDaemon side by side with
/// lego and certbot, same pebble (PEBBLE_VA_NOSLEEP=1, no authorization reuse, no nonce rejection) and same emulator
/// (INSYNC after 2 s). Every tool runs once unmeasured first (account registration, disk caches).
/// </summary>
internal static class IssuanceBenchmark
{
    public sealed record Scenario(string Label, string Lineage, IReadOnlyList<string> Domains);

    public sealed record Run(string Tool, string Scenario, int Names, int Index, bool Succeeded, double WallSeconds, double CpuSeconds,
        long PeakRssBytes, IReadOnlyDictionary<string, long> Route53Calls, string? Failure);

    public static IReadOnlyList<Scenario> Scenarios(bool includeHundred) =>
    [
        new("1 name", "one", ["one.example.test"]),
        new("apex + wildcard", "apex", ["example.test", "*.example.test"]),
        new("10 names (5 apex+wildcard pairs)", "ten", Pairs(5)),
        .. includeHundred ? new[] { new Scenario("100 names (50 apex+wildcard pairs)", "hundred", Pairs(50)) } : [],
    ];

    private static string[] Pairs(int count) =>
        [.. Enumerable.Range(0, count).SelectMany(i => new[] { $"h{i}.example.test", $"*.h{i}.example.test" })];

    public static async Task<int> RunAsync(BenchContext context)
    {
        var runs = context.Int("runs", 5, 1);
        var peerRunsHundred = context.Int("peer-runs-100", 1, 0);
        var ourRunsHundred = context.Int("runs-100", runs, 1);
        var inSync = TimeSpan.FromSeconds(context.Int("insync-seconds", 2, 2));
        var toolNames = (context.String("tools") ?? "certdaemon,lego,certbot").Split(',');
        // --names 1,2,10,100: only those scenarios (by number of names).
        var sizes = context.String("names")?.Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToHashSet();

        await using var testbed = await IssuanceTestbed.StartAsync(
            new PebbleOptions { NonceRejectPercent = 0, AuthorizationReusePercent = 0, NoValidationSleep = true }, inSync);
        var tools = new List<IssuingTool>();
        foreach (var name in toolNames)
        {
            tools.Add(name switch
            {
                "certdaemon" => new CertDaemonTool(testbed),
                "lego" => new LegoTool(testbed),
                "certbot" => new CertbotTool(testbed),
                _ => throw new ArgumentException($"unknown tool {name}"),
            });
        }

        var results = new List<Run>();
        foreach (var tool in tools)
        {
            BenchContext.Log($"{tool.Name}: warm-up (account registration)");
            var warm = await tool.IssueAsync("warmup", ["warmup.example.test"], CancellationToken.None);
            if (!warm.Succeeded)
            {
                BenchContext.Log($"{tool.Name} warm-up failed:\n{warm.Tail()}");
            }
        }

        foreach (var scenario in Scenarios(includeHundred: true).Where(s => sizes is null || sizes.Contains(s.Domains.Count)))
        {
            // Interleave tools run by run so that load changes on the shared machine hit all of them alike.
            var hundred = scenario.Domains.Count >= 100;
            var count = hundred ? ourRunsHundred : runs;
            for (var index = 0; index < count; index++)
            {
                foreach (var tool in tools)
                {
                    if (hundred && tool is not CertDaemonTool && index >= peerRunsHundred)
                    {
                        continue;
                    }

                    var before = testbed.Snapshot();
                    var run = await tool.IssueAsync(scenario.Lineage, scenario.Domains, CancellationToken.None);
                    await Task.Delay(300); // cleanup changes submitted at the very end are counted with their run
                    var after = testbed.Snapshot();
                    var calls = after.ToDictionary(p => p.Key.ToString(), p => p.Value - before[p.Key]);
                    results.Add(new Run(tool.Name, scenario.Label, scenario.Domains.Count, index, run.Succeeded, run.Wall.TotalSeconds, run.Cpu.TotalSeconds,
                        run.PeakRssBytes, calls, run.Succeeded ? null : run.Tail()));
                    BenchContext.Log($"{tool.Name} {scenario.Label} #{index}: {(run.Succeeded ? "ok" : "FAILED")} {run.Wall.TotalSeconds:F2} s, " +
                        $"{calls.Values.Sum()} Route53 calls ({calls[nameof(Route53Operation.ChangeResourceRecordSets)]} changes), load {BenchContext.LoadAverage()}");
                    if (!run.Succeeded)
                    {
                        BenchContext.Log(run.Tail());
                    }
                }
            }
        }

        context.Publish("issuance", Render(results, tools.Select(t => t.Name).ToList(), inSync), new { InSyncSeconds = inSync.TotalSeconds, Runs = results });
        return results.All(r => r.Succeeded) ? 0 : 1;
    }

    private static string Render(List<Run> results, List<string> tools, TimeSpan inSync)
    {
        var latency = new MarkdownTable(["names", .. tools.Select(t => $"{t} wall s, median (min-max) [n]"), .. tools.Skip(1).Select(t => $"{t} / certdaemon"), "certdaemon target"]);
        var calls = new MarkdownTable(["names", .. tools.Select(t => $"{t}: changes / GetChange / lists / total")]);
        var cpu = new MarkdownTable(["names", .. tools.Select(t => $"{t} CPU s (process, median)"), .. tools.Select(t => $"{t} peak RSS MB")]);
        foreach (var scenario in results.Select(r => r.Scenario).Distinct())
        {
            var wall = new List<string>();
            var medians = new Dictionary<string, double>();
            var callCells = new List<string>();
            var cpuCells = new List<string>();
            var rssCells = new List<string>();
            foreach (var tool in tools)
            {
                var ok = results.Where(r => r.Tool == tool && r.Scenario == scenario && r.Succeeded).ToList();
                var failed = results.Count(r => r.Tool == tool && r.Scenario == scenario && !r.Succeeded);
                var summary = Summary.Of([.. ok.Select(r => r.WallSeconds)]);
                medians[tool] = summary.Median;
                wall.Add(summary.Format() + $" [{ok.Count}]" + (failed > 0 ? $" ({failed} failed)" : ""));
                double Median(string op) => Summary.Of([.. ok.Select(r => (double)r.Route53Calls[op])]).Median;
                var lists = Median(nameof(Route53Operation.ListHostedZonesByName)) + Median(nameof(Route53Operation.GetHostedZone)) + Median(nameof(Route53Operation.ListResourceRecordSets));
                callCells.Add(ok.Count == 0 ? "-" : string.Create(CultureInfo.InvariantCulture,
                    $"{Median(nameof(Route53Operation.ChangeResourceRecordSets)):0.#} / {Median(nameof(Route53Operation.GetChange)):0.#} / {lists:0.#} / {Summary.Of([.. ok.Select(r => (double)r.Route53Calls.Values.Sum())]).Median:0.#}"));
                cpuCells.Add(Summary.Of([.. ok.Select(r => r.CpuSeconds)]).Format());
                rssCells.Add(Summary.Of([.. ok.Select(r => r.PeakRssBytes / 1048576.0)]).Format("F0"));
            }

            var names = results.First(r => r.Scenario == scenario).Names;
            if (tools[0] != "certdaemon")
            {
                // Peers only (e.g. --tools lego,certbot): no ratio to certdaemon and no certdaemon target.
                latency.Add([scenario, .. wall, .. tools.Skip(1).Select(_ => "-"), "-"]);
                calls.Add([scenario, .. callCells]);
                cpu.Add([scenario, .. cpuCells, .. rssCells]);
                continue;
            }

            var ratios = tools.Skip(1).Select(t => double.IsNaN(medians[t]) ? "-" : (medians[t] / medians[tools[0]]).ToString("F1", CultureInfo.InvariantCulture) + "x");
            var target = names switch
            {
                >= 100 => $"≤ {inSync.TotalSeconds + 3:F1} s: {Verdict(medians[tools[0]], inSync.TotalSeconds + 3)}",
                >= 10 => $"≤ {inSync.TotalSeconds + 1.5:F1} s: {Verdict(medians[tools[0]], inSync.TotalSeconds + 1.5)}",
                _ => "-",
            };
            latency.Add([scenario, .. wall, .. ratios, target]);
            calls.Add([scenario, .. callCells]);
            cpu.Add([scenario, .. cpuCells, .. rssCells]);
        }

        return "### Issuance wall time (s)\n\n" + latency + "\n### Route53 API calls per issuance (median)\n\n" + calls +
            "\n### Process CPU and memory per issuance\n\n" + cpu;
    }

    private static string Verdict(double value, double target) =>
        double.IsNaN(value) ? "not measured" : value <= target ? "met" : $"missed by {value - target:F2} s";
}
