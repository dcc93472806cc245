using CertDaemon.Bench.Infrastructure;
using CertDaemon.Configuration;
using CertDaemon.Hosting;
using CertDaemon.Renewal;
using Microsoft.Extensions.DependencyInjection;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// Fault kinds of concurrency: certificates sharing one <c>_acme-challenge</c> name issued at once (by one daemon,
/// by separate processes on one state directory, by hosts with separate state directories), and racing first-time
/// <c>issue</c> processes on a fresh state directory (one account must come out of it).
/// </summary>
internal static partial class ReliabilityBenchmark
{
    /// <summary>Three runs at once on one name at most: pebble cannot read a TXT answer over 512 bytes (four 43-character values).</summary>
    private static readonly (string Name, string Domain)[] SharedNameCertificates =
        [("apex", "pair.example.test"), ("wild", "*.pair.example.test"), ("wild-2", "*.pair.example.test")];

    private static async Task SharedNameAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var rounds = context.Int("shared-name-rounds", 10, 3);
        await using var testbed = await FaultTestbed.StartAsync();
        var results = new Dictionary<string, object?>();

        // One daemon: the product's service graph in this process, three issuances at once.
        var daemonHost = Path.Combine(testbed.Root, "daemon");
        var options = DaemonOptions(testbed, daemonHost);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", testbed.AwsEnvironment["AWS_ACCESS_KEY_ID"]);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", testbed.AwsEnvironment["AWS_SECRET_ACCESS_KEY"]);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        var services = new ServiceCollection().AddLogging().AddCertDaemon(options);
        await using (var daemon = services.BuildServiceProvider())
        {
            var lifecycle = daemon.GetRequiredService<CertificateLifecycle>();
            results["one daemon"] = await SharedNameRoundsAsync(testbed, rounds, [daemonHost], async () =>
            {
                var runs = options.Certificates.Select(c => lifecycle.IssueAndDeployAsync(ManagedCertificate.FromOptions(options, c), CancellationToken.None)).ToList();
                var failures = new List<string>();
                foreach (var run in runs)
                {
                    try
                    {
                        await run;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        failures.Add($"{e.GetType().Name}: {e.Message}");
                    }
                }

                return (runs.Count, failures);
            });
        }

        // Separate processes on one state directory.
        var sharedHost = Path.Combine(testbed.Root, "processes");
        var sharedConfig = testbed.WriteConfiguration(sharedHost, SharedNameCertificates);
        results["separate processes, one state directory"] = await SharedNameRoundsAsync(testbed, rounds, [sharedHost],
            () => IssueAtOnceAsync(testbed, SharedNameCertificates.Select(c => (sharedConfig, c.Name))));

        // Separate state directories: three hosts sharing only the hosted zone.
        var hosts = SharedNameCertificates.Select((c, i) => (Host: Path.Combine(testbed.Root, $"host-{i}"), c.Name, c.Domain)).ToList();
        var configs = hosts.Select(h => (testbed.WriteConfiguration(h.Host, [(h.Name, h.Domain)]), h.Name)).ToList();
        results["separate state directories (hosts)"] = await SharedNameRoundsAsync(testbed, rounds, [.. hosts.Select(h => h.Host)],
            () => IssueAtOnceAsync(testbed, configs));

        foreach (var (mode, result) in results)
        {
            var r = (SharedNameResult)result!;
            table.Add($"shared `_acme-challenge` name: apex + 2 wildcards issued at once, {mode}, {rounds} rounds",
                $"{r.Runs} runs: {r.Failures.Count} failed; {r.TxtSetsLeft} TXT sets and {r.JournalEntriesLeft} journal entries left; " +
                $"{r.RefusedStaleWrites} stale Route53 writes refused and retried; round wall s {Summary.Of(r.RoundSeconds).Format()}",
                "0 failed, 0 left", r.Failures.Count == 0 && r.TxtSetsLeft + r.JournalEntriesLeft == 0 ? "met" : "MISSED");
        }

        data["shared-name"] = results;
    }

    private sealed record SharedNameResult(int Runs, List<string> Failures, int TxtSetsLeft, int JournalEntriesLeft, int RefusedStaleWrites, List<double> RoundSeconds);

    private static async Task<SharedNameResult> SharedNameRoundsAsync(
        FaultTestbed testbed, int rounds, string[] hosts, Func<Task<(int Runs, List<string> Failures)>> round)
    {
        var failures = new List<string>();
        var runs = 0;
        var txtLeft = 0;
        var journalLeft = 0;
        var refusedBefore = testbed.RefusedStaleWrites();
        var seconds = new List<double>();
        for (var i = 1; i <= rounds; i++)
        {
            var started = TimeProvider.System.GetTimestamp();
            var (count, failed) = await round();
            seconds.Add(TimeProvider.System.GetElapsedTime(started).TotalSeconds);
            runs += count;
            failures.AddRange(failed.Select(f => $"round {i}: {f}"));
            txtLeft += testbed.TxtSetsLeft();
            foreach (var host in hosts)
            {
                journalLeft += await FaultTestbed.JournalEntriesLeftAsync(host);
            }
        }

        failures.ForEach(f => BenchContext.Log("shared name: " + f));
        return new SharedNameResult(runs, failures, txtLeft, journalLeft, testbed.RefusedStaleWrites() - refusedBefore, seconds);
    }

    private static async Task<(int Runs, List<string> Failures)> IssueAtOnceAsync(FaultTestbed testbed, IEnumerable<(string Config, string Name)> runs)
    {
        var list = runs.ToList();
        var results = await Task.WhenAll(list.Select(r => testbed.RunAsync(r.Config, "issue", r.Name)));
        return (list.Count, [.. results.Where(r => !r.Succeeded).Select(r => $"exit {r.ExitCode}: {r.Tail(3)}")]);
    }

    private static CertDaemonOptions DaemonOptions(FaultTestbed testbed, string host) => new()
    {
        Acme = new AcmeOptions
        {
            DirectoryUrl = testbed.Pebble.DirectoryUrl,
            Email = "bench@example.test",
            AcceptTermsOfService = true,
            TrustedCaFile = testbed.Pebble.TlsRootPemPath,
        },
        StateDirectory = Path.Combine(host, "state"),
        CertificateDirectory = Path.Combine(host, "letsencrypt"),
        Route53 = new Route53Options { EndpointUrl = testbed.Route53.Endpoint, PropagationTimeout = TimeSpan.FromMinutes(1) },
        Dns = new DnsOptions { Nameservers = [$"127.0.0.1:{testbed.Pebble.DnsPort}"] },
        Nginx = new NginxOptions { Enabled = false },
        Certificates = [.. SharedNameCertificates.Select(c => new CertificateOptions { Name = c.Name, Domains = [c.Domain], Nginx = false })],
    };

    private static async Task AccountRaceAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var rounds = context.Int("account-race-rounds", 10, 3);
        await using var testbed = await FaultTestbed.StartAsync();
        var processes = 0;
        var succeeded = 0;
        var clearFailures = new List<string>();
        var unclearFailures = new List<string>();
        var accountProblems = new List<string>();
        var laterFailures = new List<string>();
        var seconds = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var count = 2 + (round % 3);
            var host = Path.Combine(testbed.Root, $"race-{round}");
            var names = Enumerable.Range(1, count).Select(i => ($"site{i}", $"r{round}-site{i}.example.test")).ToList();
            var config = testbed.WriteConfiguration(host, names);
            var started = TimeProvider.System.GetTimestamp();
            var results = await Task.WhenAll(names.Select(n => testbed.RunAsync(config, "issue", n.Item1)));
            seconds.Add(TimeProvider.System.GetElapsedTime(started).TotalSeconds);
            processes += count;
            foreach (var result in results)
            {
                if (result.Succeeded)
                {
                    succeeded++;
                }
                else if (result.Error.Contains("JWS", StringComparison.OrdinalIgnoreCase) || result.Error.Contains("   at ", StringComparison.Ordinal) || result.Error.Trim().Length == 0)
                {
                    unclearFailures.Add($"round {round}: {result.Tail(5)}");
                }
                else
                {
                    clearFailures.Add($"round {round}: {result.Tail(2)}");
                }
            }

            var accounts = Directory.GetDirectories(Path.Combine(host, "state", "accounts"), "*", SearchOption.AllDirectories)
                .Where(d => File.Exists(Path.Combine(d, "private_key.pem")) || File.Exists(Path.Combine(d, "account.json"))).ToList();
            var files = accounts.Count == 1 ? Directory.GetFiles(accounts[0]).Select(Path.GetFileName).Where(f => f != ".lock").Order(StringComparer.Ordinal).ToList() : [];
            if (accounts.Count != 1 || !files.SequenceEqual(["account.json", "private_key.pem"]))
            {
                accountProblems.Add($"round {round}: {accounts.Count} account directories, files {string.Join(",", files)}");
            }

            var later = await testbed.RunAsync(config, "renew", "site1", "--force");
            if (!later.Succeeded)
            {
                laterFailures.Add($"round {round}: {later.Tail(3)}");
            }
        }

        foreach (var line in unclearFailures.Concat(accountProblems).Concat(laterFailures))
        {
            BenchContext.Log("account race: " + line);
        }

        table.Add($"racing first-time `issue` processes on a fresh state directory (2-4 per round), {rounds} rounds",
            $"{processes} processes: {succeeded} succeeded, {clearFailures.Count} failed with a clear message, {unclearFailures.Count} with a JWS error, a trace or nothing; " +
            $"{accountProblems.Count} rounds without exactly one key + one account.json; {laterFailures.Count} later `renew --force` failed; race wall s {Summary.Of(seconds).Format()}",
            "1 account, 0 JWS errors", accountProblems.Count + unclearFailures.Count + laterFailures.Count == 0 ? "met" : "MISSED");
        data["account-race"] = new { rounds, processes, succeeded, clearFailures, unclearFailures, accountProblems, laterFailures, seconds };
    }
}
