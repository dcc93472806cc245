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
        var harness = HarnessPath();
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
            var commits = await RunAndKillAsync(harness, dir.Root, TimeSpan.FromMilliseconds(random.Next(0, 150)));
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
        Assert.True(totalCommits > Kills, "the harness hardly committed anything");
    }

    private static async Task<int> RunAndKillAsync(string harness, string root, TimeSpan delay)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commits = 0;
        var errors = new List<string>();
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", [harness, root, Name])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
            else if (e.Data?.StartsWith("committed", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref commits);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(delay);
        }
        finally
        {
            // SIGKILL: no finally blocks, no flushing, exactly like a power cut for the process (not the disk).
            process.Kill();
            await process.WaitForExitAsync();
        }

        lock (errors)
        {
            Assert.True(errors.Count == 0, "the harness failed: " + string.Join("\n", errors));
        }

        return Volatile.Read(ref commits);
    }

    /// <summary>The harness built next to this test assembly: tests/CertDaemon.CrashHarness/bin/CONFIG/TFM/.</summary>
    private static string HarnessPath()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var tests = testOutput.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "CertDaemon.CrashHarness", "bin", configuration, framework, "CertDaemon.CrashHarness.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (CertDaemon.sln) first");
        return path;
    }
}
