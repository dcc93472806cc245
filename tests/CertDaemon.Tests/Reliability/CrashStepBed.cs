using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CertDaemon.Configuration;
using CertDaemon.Deployment.Nginx;
using CertDaemon.Hosting;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Testbed.Nginx;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Testbed.Route53;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// An operator's box for the crash-step runs (shared by Reliability/CrashStepTests and bench's <c>crash-steps</c>):
/// pebble + challtestsrv, the Route53 emulator, a real nginx serving <c>live/site/</c>, one configuration file. A round
/// runs the product's forced renewal in the crash harness (<c>renew-until</c>), SIGKILLs it at one step of commit +
/// deploy, starts the real daemon on the same configuration until its first check of the certificate is done, and then
/// checks what an operator would check.
/// </summary>
internal sealed class CrashStepBed : IAsyncDisposable
{
    public const string Name = "site";
    public const string Domain = "site.example.test";

    private const string StderrPrefix = "[stderr] ";

    private readonly string _harness;
    private readonly string _certdaemon;

    private CrashStepBed(string root, string harness, string certdaemon, PebbleServer pebble, Route53Emulator route53, NginxServer nginx)
    {
        Root = root;
        _harness = harness;
        _certdaemon = certdaemon;
        Pebble = pebble;
        Route53 = route53;
        Nginx = nginx;
    }

    public string Root { get; }

    public PebbleServer Pebble { get; }

    public Route53Emulator Route53 { get; }

    public NginxServer Nginx { get; }

    public string ConfigPath => Path.Combine(Root, "certdaemon.json");

    public string CertificateDirectory => Path.Combine(Root, "letsencrypt");

    public string StateDirectory => Path.Combine(Root, "state");

    public string Logs => Pebble.Logs + Nginx.Logs + string.Join("\n", Route53.PublishErrors);

    private Dictionary<string, string?> Environment => new()
    {
        ["AWS_ACCESS_KEY_ID"] = Route53EmulatorOptions.DefaultCredential.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Route53EmulatorOptions.DefaultCredential.SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = Route53.Endpoint.ToString(),
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    /// <summary>
    /// Starts everything with a placeholder certificate live (so nginx can start), then runs one whole renewal so that
    /// every round starts from a certificate CertDaemon issued, recorded and deployed.
    /// </summary>
    /// <param name="harness">CertDaemon.CrashHarness.dll.</param>
    /// <param name="certdaemon">The certdaemon executable the next start runs (the JIT build or the native binary).</param>
    public static async Task<CrashStepBed> StartAsync(string harness, string certdaemon)
    {
        var root = Directory.CreateTempSubdirectory("certdaemon-crash-steps-").FullName;
        // Every renewal after the first reuses the valid authorization: the kills are about commit and deploy, and a
        // DNS-01 round per kill would only make each round slower.
        var pebble = await PebbleServer.StartAsync(new PebbleOptions { NonceRejectPercent = 20, AuthorizationReusePercent = 100 });
        var route53 = await Route53Emulator.StartAsync(new Route53EmulatorOptions { InSyncDelay = TimeSpan.FromMilliseconds(100) }, pebble.ChallTestSrv);
        route53.AddHostedZone("example.test", nameServers: ["ns1.example.test"]);
        var store = new CertificateStore(Path.Combine(root, "letsencrypt"), new CertDaemon.Storage.CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        using (var placeholder = new TestCertificates("Placeholder CA"))
        {
            await store.CommitAsync(Name, placeholder.Issue(Domain), CancellationToken.None);
        }

        var live = Path.Combine(root, "letsencrypt", "live", Name);
        var nginx = await NginxServer.StartAsync(new NginxServerOptions
        {
            Sites = [new NginxSite([Domain], Path.Combine(live, "fullchain.pem"), Path.Combine(live, "privkey.pem"))],
        });
        var bed = new CrashStepBed(root, harness, certdaemon, pebble, route53, nginx);
        bed.WriteConfiguration();
        var bootstrap = await bed.RunHarnessAsync("none", untilLine: "finished ");
        if (bootstrap.Reached is null)
        {
            await bed.DisposeAsync();
            throw new InvalidOperationException($"the first renewal did not finish:\n{bootstrap.Output}");
        }

        return bed;
    }

    /// <summary>One round: kill a forced renewal at <paramref name="step"/>, start CertDaemon again, check everything.</summary>
    /// <param name="step">A <c>CrashStep</c> name.</param>
    /// <param name="nextStart">What starts next: the daemon (<c>certdaemon run</c>) or a <c>certdaemon renew</c> (a timer, an operator).</param>
    public async Task<CrashRound> KillAtAsync(string step, NextStart nextStart)
    {
        var started = Stopwatch.StartNew();
        var run = await RunHarnessAsync(step, untilLine: "at " + step);
        var killedAfter = started.Elapsed;
        if (run.Reached is null)
        {
            throw new InvalidOperationException($"the renewal never reached {step}:\n{run.Output}");
        }

        var liveBefore = StoreLayout.LiveSerial(CertificateDirectory, Name);
        var servedBefore = await ServedSerialAsync(expected: null);
        started.Restart();
        var events = nextStart == NextStart.Daemon ? await DaemonStartAsync() : await RenewAsync(named: nextStart == NextStart.RenewNamed);
        var nextStartTook = started.Elapsed;

        var problems = new List<string>();
        if (events.Contains("RenewalStarting"))
        {
            problems.Add("the next start issued again instead of finishing the interrupted run");
        }

        if (StoreLayout.LiveSetProblem(CertificateDirectory, Name) is { } broken)
        {
            problems.Add("live pair: " + broken);
        }

        var options = ConfigurationLoader.Load(ConfigPath).Configuration!.Options;
        var store = new CertificateStore(CertificateDirectory, new CertDaemon.Storage.CertificateStoreOptions { KeepVersions = options.Store.KeepVersions }, TimeProvider.System, NullLogger.Instance);
        var live = store.GetLive(Name);
        var liveSerial = live?.Serial ?? "(none)";
        // The daemon's start-up recovery and `renew` (before it looks at anything, due or not) finish or undo an
        // interrupted switch.
        var journalLeft = File.Exists(new LineagePaths(CertificateDirectory).Journal(Name));
        if (journalLeft)
        {
            problems.Add($"the switch journal is still there after the next start ({nextStart})");
        }

        var states = new CertificateStateStore(StateDirectory, TimeProvider.System, NullLogger.Instance);
        var state = await states.LoadAsync(Name, CancellationToken.None);
        if (state?.Current is not { } current || current.Version != live?.Version || !SameSerial(current.Serial, liveSerial))
        {
            problems.Add($"state names version {state?.Current?.Version} serial {state?.Current?.Serial}, live is version {live?.Version} serial {liveSerial}");
        }

        var target = state?.Targets.GetValueOrDefault(NginxDeployer.TargetName);
        if (!SameSerial(target?.HeldSerial, liveSerial))
        {
            problems.Add($"the nginx target is recorded holding {target?.HeldSerial}, live is {liveSerial}");
        }

        // What `certdaemon status` prints comes from this reader.
        var status = (await new CertificateStatusReader(options, new ManagedCertificateCatalog(options, states), states, TimeProvider.System)
            .ReadAsync(CancellationToken.None)).Single();
        var statusNginx = status.Targets.SingleOrDefault(t => t.Target == NginxDeployer.TargetName);
        var statusDisagrees = !SameSerial(status.Serial, liveSerial) || statusNginx is not { HoldsCurrent: true } || !SameSerial(statusNginx.Serial, liveSerial);
        var statusText = $"status shows serial {status.Serial}, nginx {statusNginx?.Serial} (holds current: {statusNginx?.HoldsCurrent}); live is {liveSerial}";

        var served = await ServedSerialAsync(expected: liveSerial);
        var stale = !SameSerial(served, liveSerial);

        var again = await SecondCheckAsync(options);
        if (again is not null)
        {
            problems.Add(again);
        }

        return new CrashRound(step, nextStart, liveBefore, servedBefore, liveSerial, served, statusDisagrees ? statusText : null, stale, problems,
            events.Contains("InterruptedRunReconciled"), events.Contains("NginxReloaded"))
        {
            StoreRecovered = events.Contains("StoreRecovered"),
            KilledAfter = killedAfter,
            JournalLeft = journalLeft,
            NextStartTook = nextStartTook,
        };
    }

    private static bool SameSerial(string? a, string? b) => a is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private async Task<string?> ServedSerialAsync(string? expected)
    {
        var probe = new ServedCertificateProbe(TimeProvider.System, null);
        var result = expected is null
            ? await probe.ReadAsync(Nginx.Address, Domain, CancellationToken.None)
            : await probe.WaitForSerialAsync(Nginx.Address, Domain, expected, TimeProvider.System.GetUtcNow().AddSeconds(5), CancellationToken.None);
        return result is ServedCertificateProbeResult.Served served ? served.Certificate.Serial : null;
    }

    /// <summary>The daemon's own check once more, in a fresh graph: with everything reconciled it has nothing to do.</summary>
    private static async Task<string?> SecondCheckAsync(CertDaemonOptions options)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddCertDaemon(options);
        await using var provider = services.BuildServiceProvider();
        var certificate = ManagedCertificate.FromOptions(options, options.Certificates.Single());
        var result = await provider.GetRequiredService<RenewalCoordinator>().CheckAsync(certificate, force: false, CancellationToken.None);
        return result.Outcome == RenewalCheckOutcome.NotDue && result.Lifecycle is null && result.Error is null
            ? null
            : $"a second check did something: {result.Outcome}, deployed {result.Lifecycle?.Deployments.Count ?? 0} target(s), error {result.Error?.Message}";
    }

    /// <summary>
    /// <c>certdaemon run</c> on the same configuration (start-up recovery, then the first check of every certificate),
    /// stopped with SIGTERM once that check is done. Returns the event names it logged.
    /// </summary>
    private async Task<IReadOnlyList<string>> DaemonStartAsync()
    {
        var log = new EventLog();
        var checkedOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var daemon = Start(_certdaemon, ["run", "--log-format", "json", "--config", ConfigPath], line =>
        {
            if (log.Add(line) is "CertificateCheckScheduled" or "CertificateCheckFailed")
            {
                checkedOnce.TrySetResult();
            }
        });
        try
        {
            await checkedOnce.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the daemon never finished its first check:\n{log}");
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", daemon.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await term.WaitForExitAsync();
        }

        await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return log.Names.Contains("CertificateCheckFailed") ? throw new InvalidOperationException($"the next start's check failed:\n{log}") : log.Names;
    }

    /// <summary><c>certdaemon renew [site]</c> (nothing forced) on the same configuration; it must succeed. Returns the event names it logged.</summary>
    private async Task<IReadOnlyList<string>> RenewAsync(bool named)
    {
        var log = new EventLog();
        using var renew = Start(_certdaemon, ["renew", .. named ? [Name] : Array.Empty<string>(), "--log-format", "json", "--config", ConfigPath], line => log.Add(line));
        await renew.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return renew.ExitCode == 0 ? log.Names : throw new InvalidOperationException($"certdaemon renew exited {renew.ExitCode}:\n{log}");
    }

    /// <summary>CertDaemon's output (CLEF lines on stdout or stderr): the event names, in order, and the text for failure messages.</summary>
    private sealed class EventLog
    {
        private readonly StringBuilder _text = new();
        private readonly List<string> _names = [];

        public IReadOnlyList<string> Names
        {
            get
            {
                lock (_text)
                {
                    return [.. _names];
                }
            }
        }

        public string? Add(string line)
        {
            var json = line.StartsWith(StderrPrefix, StringComparison.Ordinal) ? line[StderrPrefix.Length..] : line;
            string? eventName = null;
            if (json.StartsWith('{'))
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var name))
                {
                    eventName = name.GetString();
                }
            }

            lock (_text)
            {
                _text.AppendLine(line);
                if (eventName is not null)
                {
                    _names.Add(eventName);
                }
            }

            return eventName;
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    private sealed record HarnessRun(string? Reached, string Output);

    /// <summary>Starts the harness's forced renewal until it prints a line starting with <paramref name="untilLine"/>; SIGKILLs it then (or when it ends).</summary>
    private async Task<HarnessRun> RunHarnessAsync(string step, string untilLine)
    {
        var output = new StringBuilder();
        var reached = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var harness = Start("dotnet", [_harness, "renew-until", ConfigPath, Name, step], line =>
        {
            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.StartsWith(untilLine, StringComparison.Ordinal))
            {
                reached.TrySetResult(line);
            }
            else if (line.StartsWith("finished ", StringComparison.Ordinal))
            {
                reached.TrySetResult(null);
            }
        });
        try
        {
            // An early exit (a failed run) ends the wait too; its output says why.
            await Task.WhenAny(reached.Task, harness.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            reached.TrySetResult(null);
        }
        finally
        {
            // SIGKILL: no finally block, no flush, no disposal runs in the harness, exactly a kill -9 of the daemon.
            harness.Kill();
            await harness.WaitForExitAsync();
        }

        var line = reached.Task.IsCompleted ? await reached.Task : null;
        lock (output)
        {
            return new HarnessRun(line, output.ToString());
        }
    }

    private Process Start(string program, IEnumerable<string> arguments, Action<string> onLine)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("CERTDAEMON_", StringComparison.Ordinal) || k is "NOTIFY_SOCKET" or "WATCHDOG_USEC" or "WATCHDOG_PID").ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (key, value) in Environment)
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine(StderrPrefix + e.Data);
            }
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void WriteConfiguration()
    {
        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?>
            {
                ["DirectoryUrl"] = Pebble.DirectoryUrl.ToString(),
                ["Email"] = "ops@example.test",
                ["AcceptTermsOfService"] = true,
                ["TrustedCaFile"] = Pebble.TlsRootPemPath,
            },
            ["StateDirectory"] = StateDirectory,
            ["CertificateDirectory"] = CertificateDirectory,
            ["Route53"] = new Dictionary<string, object?> { ["PropagationTimeout"] = "00:01:00" },
            ["Dns"] = new Dictionary<string, object?> { ["Nameservers"] = new[] { $"127.0.0.1:{Pebble.DnsPort}" } },
            ["Nginx"] = new Dictionary<string, object?>
            {
                ["TestCommand"] = Nginx.TestCommand,
                ["ReloadCommand"] = Nginx.ReloadCommand,
                ["VerifyAddress"] = Nginx.Address,
            },
            // Two versions kept, so every commit also prunes one (a step of its own).
            ["Store"] = new Dictionary<string, object?> { ["KeepVersions"] = 2 },
            // The daemon's "check done" event (CertificateCheckScheduled) is a debug event.
            ["Serilog"] = new Dictionary<string, object?> { ["MinimumLevel"] = new Dictionary<string, object?> { ["Default"] = "Debug" } },
            ["Certificates"] = new[] { new Dictionary<string, object?> { ["Name"] = Name, ["Domains"] = new[] { Domain } } },
        };
        File.WriteAllText(ConfigPath, JsonSerializer.Serialize(config));
    }

    public async ValueTask DisposeAsync()
    {
        await Nginx.DisposeAsync();
        await Route53.DisposeAsync();
        await Pebble.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>What starts after the kill.</summary>
internal enum NextStart
{
    /// <summary><c>certdaemon run</c> until its first check is done (with its start-up recovery).</summary>
    Daemon,

    /// <summary><c>certdaemon renew</c>: every certificate checked once, nothing forced.</summary>
    Renew,

    /// <summary><c>certdaemon renew site</c>: the one certificate checked once, nothing forced.</summary>
    RenewNamed,
}

/// <summary>What one kill at <see cref="Step"/> left after the next start.</summary>
/// <param name="LiveBefore">The live serial right after the kill.</param>
/// <param name="ServedBefore">What nginx served right after the kill (null: unreachable).</param>
/// <param name="Live">The live serial after the next start.</param>
/// <param name="Served">What nginx serves after the next start.</param>
/// <param name="StatusDisagreement">Null when <c>status</c> shows the live serial as current and nginx holding it.</param>
/// <param name="StaleNginx">nginx does not serve the live serial after the next start.</param>
/// <param name="Problems">Anything else: a broken live pair, state or target not matching live, a journal left, a second check doing work.</param>
/// <param name="Reconciled">The next start logged <c>InterruptedRunReconciled</c>.</param>
/// <param name="Reloaded">The next start reloaded nginx.</param>
internal sealed record CrashRound(
    string Step, NextStart NextStartedBy, string LiveBefore, string? ServedBefore, string Live, string? Served, string? StatusDisagreement, bool StaleNginx,
    IReadOnlyList<string> Problems, bool Reconciled, bool Reloaded)
{
    public bool Recovered => StatusDisagreement is null && !StaleNginx && Problems.Count == 0;

    /// <summary>The lineage's switch journal was still there after the next start.</summary>
    public bool JournalLeft { get; init; }

    /// <summary>The next start logged <c>StoreRecovered</c>: it found a switch or leftovers of the killed run and dealt with them.</summary>
    public bool StoreRecovered { get; init; }

    /// <summary>From starting the harness to its kill at the step (process start, issuance, commit up to the step).</summary>
    public TimeSpan KilledAfter { get; init; }

    /// <summary>The next start: the daemon's start-up and first check, until it exited on SIGTERM.</summary>
    public TimeSpan NextStartTook { get; init; }

    public override string ToString() =>
        $"{Step} (killed after {KilledAfter.TotalSeconds:F1} s, next start: {NextStartedBy} {NextStartTook.TotalSeconds:F1} s): live {LiveBefore} -> {Live}, nginx served {ServedBefore} -> {Served}, reconciled {Reconciled}, reloaded {Reloaded}"
        + (StatusDisagreement is null ? "" : $"; STATUS: {StatusDisagreement}")
        + (StaleNginx ? "; STALE NGINX" : "")
        + (JournalLeft ? "; switch journal left" : "")
        + string.Concat(Problems.Select(p => "; " + p));
}
