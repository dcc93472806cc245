using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CertDaemon.Tests.Cli;

/// <summary>One CLEF line of the daemon's stdout: <c>@mt</c>, <c>EventId.Name</c> and the properties.</summary>
internal sealed record DaemonLogEvent(DateTimeOffset Timestamp, string? Name, string Template, JsonElement Line)
{
    public string? Property(string name) =>
        Line.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    public DateTimeOffset TimeProperty(string name) => DateTimeOffset.Parse(Property(name)!, CultureInfo.InvariantCulture);

    public override string ToString() => Line.GetRawText();
}

/// <summary>
/// <c>certdaemon run --log-format json</c> as a real process: every stdout line parsed as CLEF, signals sent with
/// <c>kill</c> (Process.Kill would be SIGKILL, which no daemon can handle).
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<DaemonLogEvent> _events = new();
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private DaemonProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<DaemonLogEvent> Events => [.. _events];

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output + "\n--- stderr ---\n" + _error;
            }
        }
    }

    public static DaemonProcess Start(string configPath, IReadOnlyDictionary<string, string?> environment, params string[] extraArguments) =>
        Start(configPath, environment, sighupIgnored: false, extraArguments);

    /// <param name="sighupIgnored">Start it with SIGHUP ignored, as <c>nohup</c> or a supervisor that ignores it leaves
    /// it (an ignored signal stays ignored across exec): through <c>sh</c>, which sets it and then execs the daemon in
    /// the same process, so <see cref="Id"/> is the daemon's.</param>
    public static DaemonProcess Start(string configPath, IReadOnlyDictionary<string, string?> environment, bool sighupIgnored, params string[] extraArguments)
    {
        var psi = new ProcessStartInfo(sighupIgnored ? "/bin/sh" : CliProcess.ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (sighupIgnored)
        {
            foreach (var argument in new[] { "-c", "trap '' HUP; exec \"$0\" \"$@\"", CliProcess.ExecutablePath })
            {
                psi.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in new[] { "run", "--log-format", "json", "--config", configPath }.Concat(extraArguments))
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("CERTDAEMON_", StringComparison.Ordinal) || k is "NOTIFY_SOCKET" or "WATCHDOG_USEC" or "WATCHDOG_PID" or "JOURNAL_STREAM" or "INVOCATION_ID").ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi };
        var daemon = new DaemonProcess(process);
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (daemon._output)
                {
                    daemon._error.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    /// <summary>The first event named <paramref name="name"/> (matching <paramref name="where"/>), waiting up to <paramref name="timeout"/>.</summary>
    public async Task<DaemonLogEvent> WaitForEventAsync(string name, Func<DaemonLogEvent, bool>? where = null, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = _events.FirstOrDefault(e => e.Name == name && (where is null || where(e)));
            if (found is not null)
            {
                return found;
            }

            if (_process.HasExited || TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"no {name} event (exited: {_process.HasExited}):\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    public IEnumerable<DaemonLogEvent> Named(string name) => _events.Where(e => e.Name == name);

    /// <summary>Sends a signal with kill(1), e.g. <c>TERM</c> or <c>HUP</c>.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>What <c>systemctl stop</c> expects: still running, then SIGTERM ends it within 15 s with exit code 0.</summary>
    public async Task StopCleanlyAsync()
    {
        Assert.False(HasExited);
        await SignalAsync("TERM");
        await WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, ExitCode);
    }

    /// <summary>Waits for the exit; returns how long it took, or throws after <paramref name="timeout"/>.</summary>
    public async Task<TimeSpan> WaitForExitAsync(TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"certdaemon run did not exit within {timeout}:\n{Output}");
        }

        return started.Elapsed;
    }

    /// <summary>Resident set size in KiB (VmRSS from /proc).</summary>
    public long ResidentKilobytes()
    {
        var line = File.ReadLines($"/proc/{Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (!line.StartsWith('{'))
        {
            return;
        }

        using var document = JsonDocument.Parse(line);
        var root = document.RootElement.Clone();
        var name = root.TryGetProperty("EventId", out var eventId) && eventId.TryGetProperty("Name", out var n) ? n.GetString() : null;
        var template = root.TryGetProperty("@mt", out var mt) ? mt.GetString() ?? "" : "";
        var timestamp = root.TryGetProperty("@t", out var t) ? t.GetDateTimeOffset() : TimeProvider.System.GetUtcNow();
        _events.Enqueue(new DaemonLogEvent(timestamp, name, template, root));
    }
}
