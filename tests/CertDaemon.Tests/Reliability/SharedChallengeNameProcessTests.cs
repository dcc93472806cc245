using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// Real <c>certdaemon issue</c> processes, started at the same moment, issue certificates whose names share one
/// <c>_acme-challenge</c> name: on one state directory (their locks and journal are shared) and on separate state
/// directories (two hosts on one hosted zone: only Route53's compare-and-swap stands between them).
/// </summary>
/// <remarks>
/// Three values at once on one name at most: challtestsrv answers over UDP without truncation and pebble cannot read
/// a TXT answer over 512 bytes ("dns: overflowing header size"), which four 43-character values exceed.
/// </remarks>
public sealed class SharedChallengeNameProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 20;
    private ProcessTestbed _testbed = null!;

    public async Task InitializeAsync() => _testbed = await ProcessTestbed.StartAsync("certdaemon-shared-procs-");

    public async Task DisposeAsync() => await _testbed.DisposeAsync();

    [Fact]
    public Task Three_issue_processes_on_one_state_directory_sharing_one_challenge_name_all_succeed_and_leave_nothing_behind() =>
        FailureReport.WithLogsAsync(output, () => _testbed.Logs, async () =>
        {
            var host = Path.Combine(_testbed.Root, "host");
            var config = _testbed.WriteConfiguration(host, ("apex", "pair.example.test"), ("wild", "*.pair.example.test"), ("wild-2", "*.pair.example.test"));
            await RunRoundsAsync(Rounds, [(host, config, "apex", "pair.example.test"), (host, config, "wild", "*.pair.example.test"), (host, config, "wild-2", "*.pair.example.test")]);
        });

    [Fact]
    public Task Issue_processes_on_separate_state_directories_sharing_one_challenge_name_all_succeed_and_leave_nothing_behind() =>
        FailureReport.WithLogsAsync(output, () => _testbed.Logs, async () =>
        {
            // Three boxes sharing the hosted zone and nothing else. Half the rounds: each costs three process starts, and
            // SharedChallengeNameTests runs the same race 20 times between two service graphs on separate directories.
            var runs = new[] { ("a", "apex", "pair.example.test"), ("b", "wild", "*.pair.example.test"), ("c", "wild", "*.pair.example.test") }
                .Select(r =>
                {
                    var host = Path.Combine(_testbed.Root, "host-" + r.Item1);
                    return (host, _testbed.WriteConfiguration(host, (r.Item2, r.Item3)), r.Item2, r.Item3);
                })
                .ToArray();
            await RunRoundsAsync(Rounds / 2, runs);
        });

    private async Task RunRoundsAsync(int rounds, (string Host, string Config, string Name, string Domain)[] runs)
    {
        var failures = new List<string>();
        var leftovers = new List<string>();
        var serials = new Dictionary<string, string?>();
        for (var round = 1; round <= rounds; round++)
        {
            var results = await Task.WhenAll(runs.Select(r => _testbed.RunAsync(r.Config, "issue", r.Name)));
            for (var i = 0; i < runs.Length; i++)
            {
                var (host, _, name, domain) = runs[i];
                if (results[i].ExitCode != 0)
                {
                    failures.Add($"round {round}: issue {name} in {Path.GetFileName(host)}: {results[i]}");
                    continue;
                }

                var (problem, serial) = await _testbed.CheckLiveAsync(host, name, domain, serials.GetValueOrDefault(host + name));
                serials[host + name] = serial;
                if (problem is not null)
                {
                    failures.Add($"round {round}: {Path.GetFileName(host)}: {problem}");
                }
            }

            leftovers.AddRange(_testbed.TxtLeftovers().Select(l => $"round {round}: {l}"));
            foreach (var host in runs.Select(r => r.Host).Distinct())
            {
                leftovers.AddRange((await ProcessTestbed.JournalLeftoversAsync(host)).Select(l => $"round {round}: {Path.GetFileName(host)}: {l}"));
            }
        }

        var conflicts = _testbed.Route53.ChangeLog.Count(c => c.ErrorCode == "InvalidChangeBatch");
        output.WriteLine($"{rounds} rounds x {runs.Length} processes ({CliProcess.ExecutablePath}): {failures.Count} failures, {leftovers.Count} leftovers, {conflicts} stale writes refused and retried");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(leftovers.Count == 0, string.Join("\n", leftovers));
    }
}
