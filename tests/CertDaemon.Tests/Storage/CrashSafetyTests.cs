using System.Diagnostics;
using CertDaemon.Storage;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// The crash harness commits versions in a loop with the real store; it is SIGKILLed at random moments. After each
/// kill, before any recovery, the live set must be complete and matching; then recovery (the next start) must
/// finish or undo the interrupted switch, leaving no leftovers and the same live set.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const string Name = "crash.example";
    private const int Kills = 60;

    [Fact]
    public async Task Sigkill_at_random_points_of_commits_always_leaves_a_complete_matching_live_set()
    {
        var harness = CrashHarnessRunner.HarnessPath();
        using var dir = new StoreTestDirectory();
        using var ca = new TestCertificates();
        await dir.Store().CommitAsync(Name, ca.Issue(Name), CancellationToken.None);

        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");
        var outcomes = new Dictionary<RecoveryOutcome, int>();
        var totalCommits = 0;
        var stopwatch = Stopwatch.StartNew();
        for (var kill = 0; kill < Kills; kill++)
        {
            var (commits, _) = await CrashHarnessRunner.RunAndKillAsync(harness, dir.Root, Name, TimeSpan.FromMilliseconds(random.Next(0, 150)));
            totalCommits += commits;

            var where = $"kill {kill} after {commits} commits";
            Assert.True(StoreLayout.LiveSetProblem(dir.Root, Name) is null, $"{where}: {StoreLayout.LiveSetProblem(dir.Root, Name)}");
            var liveBefore = StoreLayout.LiveSerial(dir.Root, Name);

            var recovery = Assert.Single(await dir.Store().RecoverAsync(CancellationToken.None));
            outcomes[recovery.Outcome] = outcomes.GetValueOrDefault(recovery.Outcome) + 1;

            Assert.True(StoreLayout.LiveSetProblem(dir.Root, Name) is null, $"{where}, after recovery: {StoreLayout.LiveSetProblem(dir.Root, Name)}");
            Assert.Equal(liveBefore, StoreLayout.LiveSerial(dir.Root, Name));
            Assert.Empty(StoreLayout.Leftovers(dir.Root));
            Assert.Equal(recovery.LiveVersion, dir.Store().GetLive(Name)?.Version);
        }

        output.WriteLine($"{Kills} kills, {totalCommits} commits completed in between, {stopwatch.Elapsed.TotalSeconds:F1} s; recovery outcomes: " +
            string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}")));
        // Proof that kills landed inside commits, not only between them.
        Assert.True(outcomes.Where(o => o.Key != RecoveryOutcome.Clean).Sum(o => o.Value) >= 5, "too few kills interrupted a commit");
        // How many commits fit between kills depends on machine load; that some completed is what matters here.
        Assert.True(totalCommits > 0, "the harness never completed a commit");
    }
}
