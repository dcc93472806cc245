using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CertDaemon.Testbed.Pebble;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// <c>certdaemon run</c> as a real process, as systemd starts it: pebble issues certificates that live 90 seconds, so
/// the daemon must issue the missing one at start and then renew it by itself at the planned time (half the
/// lifetime, under 10 days), nginx must serve each new serial, the JSON log must carry the contract's events, and
/// SIGTERM must stop it cleanly, notifying systemd.
/// </summary>
public sealed class DaemonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_issues_at_start_renews_by_itself_notifies_systemd_and_stops_on_sigterm()
    {
        await using var testbed = await CliTestbed.StartAsync(["example.test"], config =>
        {
            config["Renewal"] = new Dictionary<string, object?> { ["CheckInterval"] = "00:01:00" };
        }, new PebbleOptions { NonceRejectPercent = 20, ValidityPeriodSeconds = 90 });
        using var notify = new NotifySocket();
        using var daemon = StartDaemon(testbed, notify.Path);
        var log = new StringBuilder();
        var stderr = new StringBuilder();
        daemon.OutputDataReceived += line => { lock (log) { log.AppendLine(line); } };
        daemon.ErrorDataReceived += line => { lock (stderr) { stderr.AppendLine(line); } };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();

        await FailureReport.WithLogsAsync(output, () => testbed.Logs + "\n--- daemon stdout ---\n" + log + "\n--- daemon stderr ---\n" + stderr, async () =>
        {
            Assert.Contains("READY=1", await notify.ReceiveAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);

            var s1 = await EventuallyAsync(() => IssuedSerial(testbed), s => s is not null, TimeSpan.FromSeconds(30));
            Assert.NotNull(s1);
            Assert.Equal(s1, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s1!));

            // Nobody runs a command now: the daemon renews at half the 90 s lifetime.
            var s2 = await EventuallyAsync(() => IssuedSerial(testbed), s => s is not null && s != s1, TimeSpan.FromSeconds(90));
            Assert.NotEqual(s1, s2);
            Assert.Equal(s2, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", s2!));

            var events = ParseEvents(log);
            Assert.Contains(events, e => e.Name == "CertificateIssued" && e.Properties.GetProperty("Serial").GetString() == s2);
            // At start the certificate is missing (renew now); after each issuance the next renewal is planned at half the lifetime.
            var planned = events.Where(e => e.Name == "RenewalPlanned" && e.Properties.GetProperty("CertificateName").GetString() == CliTestbed.CertificateName).ToList();
            Assert.Contains(planned, e => e.Properties.GetProperty("Reason").GetString() == "missing");
            Assert.Contains(planned, e => e.Properties.GetProperty("Reason").GetString() == "half-lifetime" && e.Properties.TryGetProperty("RenewAt", out _));

            var stopwatch = Stopwatch.StartNew();
            SendSigterm(daemon);
            Assert.Contains("STOPPING=1", await notify.ReceiveUntilAsync("STOPPING=1", TimeSpan.FromSeconds(20)), StringComparison.Ordinal);
            await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"SIGTERM to exit: {stopwatch.ElapsedMilliseconds} ms");
            Assert.Equal(0, daemon.ExitCode);
        });
    }

    [Fact]
    public async Task Sigterm_during_an_issuance_removes_the_challenge_records_and_exits_promptly()
    {
        await using var testbed = await CliTestbed.StartAsync(["example.test", "*.example.test"]);
        testbed.Route53.InSyncDelay = TimeSpan.FromSeconds(60);
        using var daemon = StartDaemon(testbed, notifySocket: null);
        var log = new StringBuilder();
        daemon.OutputDataReceived += line => { lock (log) { log.AppendLine(line); } };
        daemon.ErrorDataReceived += line => { lock (log) { log.AppendLine(line); } };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();

        await FailureReport.WithLogsAsync(output, () => testbed.Logs + "\n--- daemon ---\n" + log, async () =>
        {
            var zone = testbed.Route53.ChangeLog.Count == 0 ? null : testbed.Route53.ChangeLog[0].HostedZoneId;
            var published = await EventuallyAsync(() => Task.FromResult(testbed.Route53.ChangeLog.Any(e => e.Accepted)), p => p, TimeSpan.FromSeconds(30));
            Assert.True(published, "the daemon published its challenge records");
            zone = testbed.Route53.ChangeLog.First(e => e.Accepted).HostedZoneId;
            Assert.Contains(testbed.Route53.GetRecordSets(zone), r => r.Type == "TXT");

            var stopwatch = Stopwatch.StartNew();
            SendSigterm(daemon);
            await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"SIGTERM to exit during an issuance: {stopwatch.ElapsedMilliseconds} ms");

            Assert.DoesNotContain(testbed.Route53.GetRecordSets(zone), r => r.Type == "TXT");
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30));
        });
    }

    /// <summary>
    /// The daemon as a child of a process named "systemd" (a shell started through a link of that name): .NET's
    /// systemd integration recognises its service manager by the parent's name. The shell prints the daemon's pid
    /// first, then waits for it.
    /// </summary>
    private static DaemonProcess StartDaemon(CliTestbed testbed, string? notifySocket)
    {
        var environment = new Dictionary<string, string?>(testbed.Environment);
        if (notifySocket is not null)
        {
            environment["NOTIFY_SOCKET"] = notifySocket;
        }

        var systemd = Path.Combine(testbed.Root, "fake-init", "systemd");
        Directory.CreateDirectory(Path.GetDirectoryName(systemd)!);
        if (!File.Exists(systemd))
        {
            File.CreateSymbolicLink(systemd, "/bin/sh");
        }

        var shell = CliProcess.StartRaw(systemd,
            ["-c", "\"$0\" run --log-format json --config \"$1\" & echo \"pid $!\"; wait $!", CliProcess.ExecutablePath, testbed.ConfigPath], environment);
        return new DaemonProcess(shell);
    }

    private static void SendSigterm(DaemonProcess daemon)
    {
        using var kill = Process.Start("kill", ["-TERM", daemon.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill!.WaitForExit();
    }

    /// <summary>The shell standing in for systemd, and the daemon's own pid (its first line of output).</summary>
    private sealed class DaemonProcess : IDisposable
    {
        private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DaemonProcess(Process shell)
        {
            Shell = shell;
            Shell.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.StartsWith("pid ", StringComparison.Ordinal))
                {
                    _pid.TrySetResult(int.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    OutputDataReceived?.Invoke(e.Data);
                }
            };
            Shell.ErrorDataReceived += (_, e) => ErrorDataReceived?.Invoke(e.Data);
        }

        public Process Shell { get; }

        public event Action<string?>? OutputDataReceived;

        public event Action<string?>? ErrorDataReceived;

        public int Pid => _pid.Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();

        public int ExitCode => Shell.ExitCode;

        public void BeginOutputReadLine() => Shell.BeginOutputReadLine();

        public void BeginErrorReadLine() => Shell.BeginErrorReadLine();

        public Task WaitForExitAsync() => Shell.WaitForExitAsync();

        public void Dispose()
        {
            if (!Shell.HasExited)
            {
                Shell.Kill(entireProcessTree: true);
            }

            Shell.Dispose();
        }
    }

    private static Task<string?> IssuedSerial(CliTestbed testbed)
    {
        var path = Path.Combine(testbed.StateDirectory, "certificates", CliTestbed.CertificateName + ".json");
        if (!File.Exists(path))
        {
            return Task.FromResult<string?>(null);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return Task.FromResult(json.RootElement.TryGetProperty("current", out var current) && current.ValueKind == JsonValueKind.Object
            ? current.GetProperty("serial").GetString()
            : null);
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan within)
    {
        var deadline = TimeProvider.System.GetUtcNow() + within;
        while (true)
        {
            T value;
            try
            {
                value = await read();
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                value = default!;
            }

            if ((value is not null && done(value)) || TimeProvider.System.GetUtcNow() > deadline)
            {
                return value;
            }

            await Task.Delay(250);
        }
    }

    private sealed record LogEvent(int Index, string Name, JsonElement Properties);

    private static List<LogEvent> ParseEvents(StringBuilder log)
    {
        string text;
        lock (log)
        {
            text = log.ToString();
        }

        var events = new List<LogEvent>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Under systemd each line may carry a journald priority prefix such as "<6>".
            var json = line.StartsWith('<') && line.IndexOf('>', StringComparison.Ordinal) is var end and > 0 ? line[(end + 1)..] : line;
            if (!json.StartsWith('{'))
            {
                continue;
            }

            using var document = JsonDocument.Parse(json);
            Assert.True(document.RootElement.TryGetProperty("@t", out _), "every line is CLEF with a timestamp");
            if (document.RootElement.TryGetProperty("EventId", out var id) && id.TryGetProperty("Name", out var name))
            {
                events.Add(new LogEvent(events.Count, name.GetString()!, document.RootElement.Clone()));
            }
        }

        return events;
    }

    /// <summary>A unix datagram socket standing in for systemd's notify socket.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        public NotifySocket()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"notify-{Guid.NewGuid():N}.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(Path));
        }

        public string Path { get; }

        public async Task<string> ReceiveAsync(TimeSpan timeout)
        {
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(timeout);
            var received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, received);
        }

        public async Task<string> ReceiveUntilAsync(string expected, TimeSpan timeout)
        {
            var deadline = TimeProvider.System.GetUtcNow() + timeout;
            var all = new StringBuilder();
            while (!all.ToString().Contains(expected, StringComparison.Ordinal) && TimeProvider.System.GetUtcNow() < deadline)
            {
                all.AppendLine(await ReceiveAsync(deadline - TimeProvider.System.GetUtcNow()));
            }

            return all.ToString();
        }

        public void Dispose()
        {
            _socket.Dispose();
            File.Delete(Path);
        }
    }
}
