using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// <c>certdaemon run</c> as a real process against pebble, the Route53 emulator and a real nginx: it issues what is
/// missing at start, renews by itself at the planned time, shares certificates safely with <c>certdaemon issue</c>,
/// and stops promptly on SIGTERM without leaving challenge records behind.
/// </summary>
public sealed class DaemonTests(ITestOutputHelper output)
{
    private static readonly string[] Domains = ["example.test", "*.example.test"];

    [Fact]
    public async Task Run_issues_at_start_renews_by_itself_at_the_planned_time_and_a_concurrent_issue_is_safe()
    {
        // 60-second certificates: under 10 days, so the lifetime rule renews at half the lifetime (30 s).
        var metricsPort = FreePort();
        await using var testbed = await CliTestbed.StartAsync(
            Domains,
            config => config["Metrics"] = new Dictionary<string, object?> { ["ListenAddress"] = $"127.0.0.1:{metricsPort}" },
            pebbleOptions: new PebbleOptions { NonceRejectPercent = 20, ValidityPeriodSeconds = 60 });
        await using var daemon = testbed.StartDaemon(extraArguments: "--verbose");
        await FailureReport.WithLogsAsync(output, () => testbed.Logs + "\n--- daemon ---\n" + daemon.Output, async () =>
        {
            // The daemon's start-up check finds no certificate and issues; `issue` runs meanwhile: the
            // per-certificate lock serialises them, both succeed, and the live pair matches afterwards.
            var started = await daemon.WaitForEventAsync("DaemonStarted");
            Assert.Equal("1", started.Property("CertificateCount"));
            var missing = await daemon.WaitForEventAsync("RenewalStarting", e => e.Property("Reason") == "missing");
            var issue = await testbed.RunAsync("issue", CliTestbed.CertificateName);
            output.WriteLine(issue.ToString());
            Assert.Equal(0, issue.ExitCode);
            var daemonIssued = await daemon.WaitForEventAsync("CertificateIssued", timeout: TimeSpan.FromSeconds(40));
            Assert.Equal(CliTestbed.CertificateName, daemonIssued.Property("CertificateName"));
            var planned = await daemon.WaitForEventAsync("RenewalPlanned", e => e.Property("Reason") == "half-lifetime");
            IssueCommandTests.AssertLivePairMatches(testbed);
            var known = new HashSet<string>(daemon.Named("CertificateIssued").Select(e => e.Property("Serial")!)) { IssueCommandTests.LiveSerial(testbed) };
            Assert.Contains(IssueCommandTests.LiveSerial(testbed), issue.Output, StringComparison.Ordinal);

            // Nobody asks: the daemon renews by itself when the plan says, and nginx serves the new certificate.
            var renewed = await daemon.WaitForEventAsync("CertificateIssued", e => !known.Contains(e.Property("Serial")!), TimeSpan.FromSeconds(60));
            var plan = daemon.Named("RenewalPlanned").Last(e => e.Property("Reason") == "half-lifetime" && e.Timestamp < renewed.Timestamp);
            var renewAt = plan.TimeProperty("RenewAt");
            output.WriteLine($"planned {renewAt:O}, renewed (issued) {renewed.Timestamp:O}; first plan logged {planned.Timestamp:O}; daemon started renewing {missing.Timestamp:O}");
            Assert.True(renewed.Timestamp >= renewAt, $"renewed at {renewed.Timestamp:O}, before the planned {renewAt:O}");
            Assert.True(renewed.Timestamp <= renewAt + TimeSpan.FromSeconds(20), $"renewed at {renewed.Timestamp:O}, long after the planned {renewAt:O}");
            var serial = renewed.Property("Serial")!;

            // Idle between the issuance and the renewal, it gave its memory back (the GC's and its own image's pages),
            // and the renewal then ran on the code faulted back in.
            var returned = daemon.Named("IdleMemoryReturned").Where(e => e.Timestamp > daemonIssued.Timestamp && e.Timestamp < renewed.Timestamp).ToList();
            Assert.NotEmpty(returned);
            Assert.All(returned, e => Assert.True(long.Parse(e.Property("ImageKiB")!, System.Globalization.CultureInfo.InvariantCulture) > 0, e.Property("ImageKiB")));
            Assert.All(returned, e => Assert.Equal("", e.Property("ImageProblem")));
            await daemon.WaitForEventAsync("NginxReloaded", e => e.Property("Serial") == serial);
            Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "www.example.test", serial));
            Assert.Equal(serial, IssueCommandTests.LiveSerial(testbed));
            IssueCommandTests.AssertLivePairMatches(testbed);

            // Its loopback metrics listener says the same, for Prometheus.
            await daemon.WaitForEventAsync("MetricsListening");
            // (60-second certificates renew every 30 s: a scrape can land between a commit and its deployment, which it
            // rightly reports as not ready; a few scrapes find a settled moment.)
            using (var http = new HttpClient())
            {
                var current = $"certdaemon_target_current{{name=\"{CliTestbed.CertificateName}\",target=\"nginx\"}} 1";
                var metrics = "";
                for (var scrape = 0; scrape < 40 && !metrics.Contains(current, StringComparison.Ordinal); scrape++)
                {
                    await Task.Delay(scrape == 0 ? 0 : 250);
                    metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
                }

                output.WriteLine(metrics);
                Assert.Contains(current, metrics, StringComparison.Ordinal);
                Assert.Contains($"certdaemon_certificate_ready_status{{name=\"{CliTestbed.CertificateName}\",condition=\"True\"}} 1", metrics, StringComparison.Ordinal);
            }

            // RenewalPlanned is logged when the plan changes, not at every check.
            Assert.Equal(
                daemon.Named("RenewalPlanned").Count(),
                daemon.Named("RenewalPlanned").Select(e => (e.Property("Reason"), e.Property("RenewAt"))).Distinct().Count());

            output.WriteLine($"daemon RSS while idle: {daemon.ResidentKilobytes()} KiB");
            await daemon.SignalAsync("TERM");
            var took = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"SIGTERM to exit (idle): {took.TotalMilliseconds:F0} ms");
            Assert.Equal(0, daemon.ExitCode);
            Assert.Empty(testbed.TxtRecordSets());
        });
    }

    [Fact]
    public async Task Sigterm_during_an_issuance_exits_within_seconds_and_leaves_no_challenge_record()
    {
        // Changes stay PENDING for 10 s: the daemon is waiting for INSYNC when SIGTERM arrives.
        await using var testbed = await CliTestbed.StartAsync(Domains, inSyncDelay: TimeSpan.FromSeconds(10));
        await using var daemon = testbed.StartDaemon();
        await FailureReport.WithLogsAsync(output, () => testbed.Logs + "\n--- daemon ---\n" + daemon.Output, async () =>
        {
            await daemon.WaitForEventAsync("ChallengeRecordsPublished");
            Assert.NotEmpty(testbed.TxtRecordSets());

            await daemon.SignalAsync("TERM");
            var took = await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"SIGTERM to exit during an issuance: {took.TotalMilliseconds:F0} ms");
            Assert.True(took < TimeSpan.FromSeconds(10), $"took {took}");
            Assert.Equal(0, daemon.ExitCode);
            Assert.Empty(testbed.TxtRecordSets());
            Assert.Empty(daemon.Named("CertificateIssued"));
            Assert.Single(daemon.Named("DaemonStopping"));
        });
    }

    [Fact]
    public async Task Run_notifies_systemd_ready_and_stopping_and_reloads_without_restart_keeping_the_old_configuration_when_invalid()
    {
        var root = Directory.CreateTempSubdirectory("certdaemon-notify-").FullName;
        var socketPath = Path.Combine("/tmp", "cd-notify-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        try
        {
            var configPath = Path.Combine(root, "certdaemon.json");
            var valid = MinimalConfiguration(root);
            await File.WriteAllTextAsync(configPath, valid);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(socketPath));
            var messages = new List<string>();
            var receiving = ReceiveAsync(socket, messages);

            await using var daemon = DaemonProcess.Start(configPath, new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath });
            await FailureReport.WithLogsAsync(output, () => daemon.Output + "\nnotify: " + string.Join(" | ", Snapshot(messages)), async () =>
            {
                await WaitForAsync(() => Snapshot(messages).Any(m => m.Contains("READY=1", StringComparison.Ordinal)), "READY=1");
                await daemon.WaitForEventAsync("DaemonStarted");

                // A broken edit is refused (ConfigurationInvalid) and the daemon keeps running on the old configuration.
                await File.WriteAllTextAsync(configPath, valid.Replace("\"AcceptTermsOfService\":true", "\"AcceptTermsOfService\":false", StringComparison.Ordinal));
                var invalid = await daemon.WaitForEventAsync("ConfigurationInvalid");
                Assert.Contains("AcceptTermsOfService", invalid.ToString(), StringComparison.Ordinal);
                Assert.False(daemon.HasExited);

                // Fixing it reloads (file watcher); SIGHUP reloads too.
                await File.WriteAllTextAsync(configPath, valid);
                await daemon.WaitForEventAsync("ConfigurationReloaded");
                await daemon.SignalAsync("HUP");
                await daemon.WaitForEventAsync("ConfigurationReloadRequested", e => e.Property("Trigger") == "SIGHUP");
                await WaitForAsync(() => daemon.Named("ConfigurationReloaded").Count() >= 2, "a second ConfigurationReloaded");
                await daemon.StopCleanlyAsync();
                await WaitForAsync(() => Snapshot(messages).Any(m => m.Contains("STOPPING=1", StringComparison.Ordinal)), "STOPPING=1");
            });
            socket.Close();
            await receiving;
        }
        finally
        {
            File.Delete(socketPath);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// An operator's reload is never lost and never kills the daemon: a SIGHUP sent as soon as <c>DaemonStarted</c> is
    /// logged (the reloader starts after that line) is a reload logged with Trigger SIGHUP, also when whoever started
    /// the daemon left SIGHUP ignored (nohup; the runtime keeps an inherited ignore unless the daemon takes it back).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_sighup_from_DaemonStarted_on_reloads_and_never_terminates(bool startedWithSighupIgnored)
    {
        var root = Directory.CreateTempSubdirectory("certdaemon-sighup-").FullName;
        try
        {
            var configPath = Path.Combine(root, "certdaemon.json");
            await File.WriteAllTextAsync(configPath, MinimalConfiguration(root));
            await using var daemon = DaemonProcess.Start(configPath, new Dictionary<string, string?>(), startedWithSighupIgnored);
            await FailureReport.WithLogsAsync(output, () => daemon.Output, async () =>
            {
                await daemon.WaitForEventAsync("DaemonStarted");
                await daemon.SignalAsync("HUP");
                var requested = await daemon.WaitForEventAsync("ConfigurationReloadRequested");
                Assert.Equal("SIGHUP", requested.Property("Trigger"));
                await daemon.WaitForEventAsync("ConfigurationReloaded");

                // Taken as a reload at any time later too (e.g. right after that one).
                await daemon.SignalAsync("HUP");
                await WaitForAsync(() => daemon.Named("ConfigurationReloadRequested").Count(e => e.Property("Trigger") == "SIGHUP") >= 2, "a second SIGHUP reload");
                await daemon.StopCleanlyAsync();
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_reload_moves_the_metrics_listener_keeps_the_old_one_when_the_new_address_is_taken_and_stops_it_when_removed()
    {
        var root = Directory.CreateTempSubdirectory("certdaemon-metrics-reload-").FullName;
        try
        {
            var configPath = Path.Combine(root, "certdaemon.json");
            var (first, second) = (FreePort(), FreePort());
            using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            taken.Start();
            var takenPort = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            async Task ConfigureAsync(int? port, DaemonProcess? daemon)
            {
                await File.WriteAllTextAsync(configPath, MinimalConfiguration(root, port is null ? null : $"127.0.0.1:{port}"));
                if (daemon is not null)
                {
                    await daemon.SignalAsync("HUP");
                }
            }

            await ConfigureAsync(first, null);
            await using var daemon = DaemonProcess.Start(configPath, new Dictionary<string, string?>());
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await FailureReport.WithLogsAsync(output, () => daemon.Output, async () =>
            {
                await daemon.WaitForEventAsync("MetricsListening", e => e.Property("Address") == $"127.0.0.1:{first}");
                Assert.Contains("# TYPE certdaemon_", await http.GetStringAsync(new Uri($"http://127.0.0.1:{first}/metrics")), StringComparison.Ordinal);

                // Moved: the new port serves, the old one is closed.
                await ConfigureAsync(second, daemon);
                await daemon.WaitForEventAsync("MetricsListening", e => e.Property("Address") == $"127.0.0.1:{second}");
                Assert.Contains("# TYPE certdaemon_", await http.GetStringAsync(new Uri($"http://127.0.0.1:{second}/metrics")), StringComparison.Ordinal);
                await AssertRefusedAsync(http, first);

                // A port someone else holds: logged, and the previous address keeps serving.
                await ConfigureAsync(takenPort, daemon);
                var failed = await daemon.WaitForEventAsync("MetricsListenerFailed", e => e.Property("Address") == $"127.0.0.1:{takenPort}");
                output.WriteLine(failed.ToString());
                Assert.Contains("# TYPE certdaemon_", await http.GetStringAsync(new Uri($"http://127.0.0.1:{second}/metrics")), StringComparison.Ordinal);

                // Removed: nothing serves any more.
                await ConfigureAsync(null, daemon);
                await daemon.WaitForEventAsync("MetricsListenerStopped", e => e.Property("Address") == $"127.0.0.1:{second}");
                await AssertRefusedAsync(http, second);

                await daemon.StopCleanlyAsync();
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task AssertRefusedAsync(HttpClient http, int port)
    {
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(refused.InnerException).SocketErrorCode);
    }

    [Fact]
    public async Task Run_refuses_to_start_on_an_invalid_configuration_with_exit_78()
    {
        var root = Directory.CreateTempSubdirectory("certdaemon-invalid-").FullName;
        try
        {
            var configPath = Path.Combine(root, "certdaemon.json");
            await File.WriteAllTextAsync(configPath, MinimalConfiguration(root).Replace("\"AcceptTermsOfService\":true", "\"AcceptTermsOfService\":false", StringComparison.Ordinal));
            var result = await CliProcess.RunAsync(["run", "--config", configPath], timeout: TimeSpan.FromSeconds(30));
            Assert.Equal(78, result.ExitCode);
            Assert.Contains("$.Acme.AcceptTermsOfService", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string MinimalConfiguration(string root, string? metricsAddress = null) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["Acme"] = new Dictionary<string, object?> { ["Email"] = "ops@example.test", ["AcceptTermsOfService"] = true },
        ["StateDirectory"] = Path.Combine(root, "state"),
        ["CertificateDirectory"] = Path.Combine(root, "letsencrypt"),
        ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
        ["Certificates"] = Array.Empty<object>(),
        ["Metrics"] = new Dictionary<string, object?> { ["ListenAddress"] = metricsAddress },
    });

    private static async Task ReceiveAsync(Socket socket, List<string> messages)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int received;
            try
            {
                received = await socket.ReceiveAsync(buffer, SocketFlags.None);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (messages)
            {
                messages.Add(Encoding.UTF8.GetString(buffer, 0, received));
            }
        }
    }

    private static List<string> Snapshot(List<string> messages)
    {
        lock (messages)
        {
            return [.. messages];
        }
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(50);
        }
    }
}
