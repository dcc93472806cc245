using System.Diagnostics;
using System.Globalization;
using CertDaemon.Bench.Infrastructure;
using CertDaemon.CrashHarness;
using CertDaemon.Tests.Reliability;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// Part <c>crash-steps</c>: the product's forced renewal (pebble, the Route53 emulator, real nginx) SIGKILLed at each
/// step of commit + deploy (<see cref="CrashStep.All"/>), <c>--crash-step-kills</c> times per step, each followed by
/// the next start (the daemon and <c>certdaemon renew</c> taking turns) and the operator's checks
/// (<see cref="CrashStepBed"/>, the same rounds as Reliability/CrashStepTests). Its own table: reliability-crash-steps.md.
/// </summary>
internal static partial class ReliabilityBenchmark
{
    private static async Task CrashStepsAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var kills = context.Int("crash-step-kills", 10, 1);
        var steps = new MarkdownTable("step", "kills", "recovered", "status disagreements", "stale nginx after next start", "other problems",
            "nginx stale right after the kill", "reconciled (InterruptedRunReconciled)", "journal left by `renew`");
        var failures = new List<string>();
        var rows = new List<object>();
        var total = Stopwatch.StartNew();
        await using var bed = await CrashStepBed.StartAsync(CrashHarnessProcess.HarnessPath, BenchContext.CertDaemonPath);
        var rounds = CrashStep.All.ToDictionary(s => s.Name, _ => new List<CrashRound>());
        // Round-robin over the steps, so a drift (a growing state, a slower machine) touches every step alike.
        for (var i = 0; i < kills; i++)
        {
            foreach (var (step, index) in CrashStep.All.Select((s, index) => (s, index)))
            {
                // The daemon and `renew` take turns, per step and across steps.
                var round = await bed.KillAtAsync(step.Name, (i + index) % 2 == 0 ? NextStart.Daemon : NextStart.Renew);
                rounds[step.Name].Add(round);
                BenchContext.Log("crash-steps: " + round);
                if (!round.Recovered)
                {
                    failures.Add(round.ToString());
                }
            }
        }

        foreach (var step in CrashStep.All)
        {
            var done = rounds[step.Name];
            var row = new
            {
                step = step.Name,
                description = step.Description,
                kills = done.Count,
                recovered = done.Count(r => r.Recovered),
                statusDisagreements = done.Count(r => r.StatusDisagreement is not null),
                staleNginx = done.Count(r => r.StaleNginx),
                otherProblems = done.Count(r => r.Problems.Count > 0),
                staleRightAfterKill = done.Count(r => !string.Equals(r.ServedBefore, r.LiveBefore, StringComparison.OrdinalIgnoreCase)),
                reconciled = done.Count(r => r.Reconciled),
                journalLeft = done.Count(r => r.JournalLeft),
                byDaemon = done.Count(r => r.NextStartedBy == NextStart.Daemon),
                medianKilledAfterSeconds = Median(done.Select(r => r.KilledAfter.TotalSeconds)),
                medianNextStartSeconds = Median(done.Select(r => r.NextStartTook.TotalSeconds)),
            };
            rows.Add(row);
            steps.Add($"`{step.Name}`: {step.Description}", N(row.kills), N(row.recovered), N(row.statusDisagreements), N(row.staleNginx), N(row.otherProblems),
                N(row.staleRightAfterKill), N(row.reconciled), N(row.journalLeft));
        }

        var all = rounds.Values.SelectMany(r => r).ToList();
        var summary = $"{all.Count} kills ({kills} per step, {CrashStep.All.Count} steps; next start: daemon {all.Count(r => r.NextStartedBy == NextStart.Daemon)}, renew "
            + $"{all.Count(r => r.NextStartedBy == NextStart.Renew)}): {all.Count(r => r.Recovered)} recovered, {all.Count(r => r.StatusDisagreement is not null)} status "
            + $"disagreements, {all.Count(r => r.StaleNginx)} stale nginx after the next start, {all.Count(r => r.Problems.Count > 0)} other problems; "
            + $"{total.Elapsed.TotalMinutes:F1} min";
        table.Add("SIGKILL at every step of a forced renewal's commit + deploy, then the next start (table: reliability-crash-steps)", summary,
            "0 disagreements, 0 stale", failures.Count == 0 ? "met" : "MISSED");
        data["crash-steps"] = new { killsPerStep = kills, rows, failures, minutes = total.Elapsed.TotalMinutes };
        context.Publish("reliability-crash-steps", steps + "\n" + summary + "\n", new { killsPerStep = kills, rows, failures });
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : Math.Round(sorted[sorted.Count / 2], 1);
    }
}
