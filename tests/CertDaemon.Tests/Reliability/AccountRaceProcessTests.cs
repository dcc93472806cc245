using CertDaemon.Issuance;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// First-ever <c>certdaemon issue</c> processes racing on a fresh state directory (no account yet), as on a new box
/// where a provisioning script and an operator start at once: one account key and one <c>account.json</c> that
/// belong together, so every later request verifies.
/// </summary>
public sealed class AccountRaceProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 20;
    private ProcessTestbed _testbed = null!;

    public async Task InitializeAsync() => _testbed = await ProcessTestbed.StartAsync("certdaemon-account-procs-");

    public async Task DisposeAsync() => await _testbed.DisposeAsync();

    [Fact]
    public Task Racing_first_issue_processes_end_with_one_account_whose_key_signs_the_next_renewal() =>
        FailureReport.WithLogsAsync(output, () => _testbed.Logs, async () =>
        {
            using var http = _testbed.Pebble.CreateHttpClient();
            var settings = new AcmeAccountSettings(_testbed.Pebble.DirectoryUrl, "ops@example.test", AcceptTermsOfService: true);
            var failures = new List<string>();
            var succeeded = 0;
            var processes = 0;
            for (var round = 1; round <= Rounds; round++)
            {
                // 2, 3 or 4 processes, each issuing its own certificate (so no certificate lock orders them).
                var count = 2 + (round % 3);
                var host = Path.Combine(_testbed.Root, $"round-{round}");
                var names = Enumerable.Range(1, count).Select(i => ($"site{i}", $"r{round}-site{i}.example.test")).ToArray();
                var config = _testbed.WriteConfiguration(host, names);

                var results = await Task.WhenAll(names.Select(n => _testbed.RunAsync(config, "issue", n.Item1)));
                processes += count;
                foreach (var (result, i) in results.Select((r, i) => (r, i)))
                {
                    if (result.ExitCode == 0)
                    {
                        succeeded++;
                    }
                    else if (result.Error.Contains("JWS", StringComparison.OrdinalIgnoreCase) || result.Error.Contains("   at ", StringComparison.Ordinal) || result.Error.Trim().Length == 0)
                    {
                        failures.Add($"round {round}: issue {names[i].Item1} failed without a clear message: {result}");
                    }
                    else
                    {
                        output.WriteLine($"round {round}: issue {names[i].Item1} failed with a message: {result.Error.Trim()}");
                    }
                }

                var accounts = Directory.Exists(Path.Combine(host, "state", "accounts"))
                    ? Directory.GetDirectories(Path.Combine(host, "state", "accounts"), "*", SearchOption.AllDirectories)
                        .Where(d => File.Exists(Path.Combine(d, "private_key.pem")) || File.Exists(Path.Combine(d, "account.json")))
                        .ToList()
                    : [];
                if (accounts.Count != 1)
                {
                    failures.Add($"round {round}: {accounts.Count} account directories: {string.Join(", ", accounts)}");
                    continue;
                }

                var files = Directory.GetFiles(accounts[0]).Select(Path.GetFileName).Where(f => f != ".lock").Order(StringComparer.Ordinal).ToList();
                if (!files.SequenceEqual(["account.json", "private_key.pem"]))
                {
                    failures.Add($"round {round}: the account directory holds {string.Join(", ", files)}, not exactly one key and one account.json");
                }

                // A later run signs with the stored key under the stored account URL (a mismatch is a JWS verification
                // error): every round in this process, since another certdaemon process per round would double the
                // loop's time, and once (below) as a real `renew --force`.
                try
                {
                    using var later = await new AcmeAccountProvisioner(Path.Combine(host, "state"), TimeProvider.System, NullLoggerFactory.Instance)
                        .ConnectAsync(http, settings, CancellationToken.None);
                    await later.UpdateContactAsync(["mailto:ops@example.test"], CancellationToken.None);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failures.Add($"round {round}: a signed request with the stored account failed: {e.Message}");
                }

                if (round == Rounds)
                {
                    var renew = await _testbed.RunAsync(config, "renew", "site1", "--force");
                    if (renew.ExitCode != 0)
                    {
                        failures.Add($"round {round}: `renew site1 --force` after the race failed: {renew}");
                    }
                }
            }

            output.WriteLine($"{Rounds} rounds, {processes} racing first-time processes ({CliProcess.ExecutablePath}): {succeeded} succeeded, {failures.Count} failures");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        });
}
