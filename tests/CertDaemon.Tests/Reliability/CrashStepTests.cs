using CertDaemon.CrashHarness;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Storage;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// A real process running the product's forced renewal (<c>renew site --force</c>: pebble, the Route53 emulator, a
/// real nginx) is SIGKILLed at every step of commit + deploy, one after the other; after each kill the real daemon
/// (or, every other step, a plain <c>certdaemon renew</c>) starts on the same configuration. Then <c>status</c>, the live files, the state, the nginx target and what nginx
/// serves all agree, the live pair matches, and a second check has nothing left to do.
/// </summary>
public sealed class CrashStepTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_renewal_killed_at_every_step_of_commit_and_deploy_is_finished_by_the_next_start()
    {
        await using var bed = await CrashStepBed.StartAsync(CrashHarnessRunner.HarnessPath(), CliProcess.ExecutablePath);
        await FailureReport.WithLogsAsync(output, () => bed.Logs, async () =>
        {
            var rounds = new List<CrashRound>();
            foreach (var (step, i) in CrashStep.All.Select((s, i) => (s, i)))
            {
                // The daemon's start and a plain `renew` take turns as the next start: both must finish the run.
                var round = await bed.KillAtAsync(step.Name, i % 2 == 0 ? NextStart.Daemon : NextStart.Renew);
                output.WriteLine(round.ToString());
                rounds.Add(round);
            }

            var failed = rounds.Where(r => !r.Recovered).ToList();
            Assert.True(failed.Count == 0, "not recovered by the next start:\n" + string.Join("\n", failed));
            // The kills mattered: some left nginx serving an older serial than live, which only the next start fixed.
            Assert.Contains(rounds, r => r.ServedBefore != r.LiveBefore && r.Reconciled);
        });
    }
}
