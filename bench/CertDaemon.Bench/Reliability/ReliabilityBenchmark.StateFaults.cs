using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CertDaemon.Bench.Infrastructure;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// Fault kinds of state and environment, each through real <c>certdaemon</c> processes: corrupt state files of every
/// shape, an IDN name, a CA that accepts TCP and never answers, and renew with a read-only state directory.
/// </summary>
internal static partial class ReliabilityBenchmark
{
    private static readonly (string Shape, string Content)[] CorruptShapes =
    [
        ("truncated", "{\"schemaVersion\":1,\"name\":\"broken\",\"history\":[{\"vers"),
        ("null", "null"),
        ("{}", "{}"),
        ("wrong-typed", "{\"schemaVersion\":1,\"name\":\"broken\",\"history\":\"yesterday\",\"targets\":[1,2]}"),
        ("empty", ""),
    ];

    private const string NewerSchema = "{\"schemaVersion\":99,\"name\":\"broken\",\"somethingNew\":{}}";

    private static async Task CorruptStateAsync(MarkdownTable table, Dictionary<string, object?> data)
    {
        await using var testbed = await FaultTestbed.StartAsync();
        var host = Path.Combine(testbed.Root, "host");
        var config = testbed.WriteConfiguration(host, [("broken", "broken.example.test"), ("fine", "fine.example.test")]);
        foreach (var name in new[] { "broken", "fine" })
        {
            var issued = await testbed.RunAsync(config, "issue", name);
            if (!issued.Succeeded)
            {
                throw new InvalidOperationException($"corrupt-state: issue {name} failed: {issued.Tail()}");
            }
        }

        var statePath = Path.Combine(host, "state", "certificates", "broken.json");
        var brokenSerial = FaultTestbed.LiveSerial(host, "broken");
        var fineSerial = FaultTestbed.LiveSerial(host, "fine");
        var outcomes = new List<object>();
        var handled = 0;
        foreach (var (shape, content) in CorruptShapes)
        {
            var asideBefore = Directory.GetFiles(Path.GetDirectoryName(statePath)!, "broken.json.corrupt-*").Length;
            await File.WriteAllTextAsync(statePath, content);
            var status = await testbed.RunAsync(config, "status", "--json");
            var shown = StatusSerials(status.Output);
            var setAside = Directory.GetFiles(Path.GetDirectoryName(statePath)!, "broken.json.corrupt-*").Length == asideBefore + 1;
            var renew = await testbed.RunAsync(config, "renew");
            var ok = status.Succeeded && setAside && shown.GetValueOrDefault("broken") == brokenSerial && shown.GetValueOrDefault("fine") == fineSerial && renew.Succeeded;
            handled += ok ? 1 : 0;
            outcomes.Add(new { shape, statusExit = status.ExitCode, setAside, shownBroken = shown.GetValueOrDefault("broken"), shownFine = shown.GetValueOrDefault("fine"), renewExit = renew.ExitCode, statusSeconds = status.Wall.TotalSeconds });
            if (!ok)
            {
                BenchContext.Log($"corrupt-state {shape}: status {status.Tail(5)}; renew {renew.Tail(5)}");
            }
        }

        await File.WriteAllTextAsync(statePath, NewerSchema);
        var newer = await testbed.RunAsync(config, "status");
        var newerRenew = await testbed.RunAsync(config, "renew", "fine");
        var refused = newer.Output.Contains("newer CertDaemon", StringComparison.Ordinal) || newer.Error.Contains("newer CertDaemon", StringComparison.Ordinal);
        var untouched = await File.ReadAllTextAsync(statePath) == NewerSchema;
        var newerOk = refused && untouched && !newer.Output.Contains("none issued yet", StringComparison.Ordinal) && newerRenew.Succeeded;
        table.Add($"corrupt `state/certificates/NAME.json` ({string.Join(", ", CorruptShapes.Select(s => s.Shape))}), then `status --json` and `renew`",
            $"{handled}/{CorruptShapes.Length} shapes set aside + rebuilt from the live files with the other certificate unaffected; newer schema: " +
            $"{(refused ? "refused clearly" : "NOT refused")}, file {(untouched ? "untouched" : "CHANGED")}, other certificate renew exit {newerRenew.ExitCode}",
            $"{CorruptShapes.Length + 1}/{CorruptShapes.Length + 1}", handled == CorruptShapes.Length && newerOk ? "met" : "MISSED");
        data["corrupt-state"] = new { outcomes, newer = new { refused, untouched, statusExit = newer.ExitCode, renewExit = newerRenew.ExitCode } };
    }

    /// <summary>name -> serial from <c>status --json</c> (an array of certificates, or an object holding one).</summary>
    private static Dictionary<string, string?> StatusSerials(string json)
    {
        var serials = new Dictionary<string, string?>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json);
            var items = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray()
                : document.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array).SelectMany(p => p.Value.EnumerateArray());
            foreach (var item in items)
            {
                string? Get(string name) => item.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
                if (Get("name") is { } certificate)
                {
                    serials[certificate] = Get("serial")?.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
                }
            }
        }
        catch (JsonException e)
        {
            BenchContext.Log($"status --json is not JSON ({e.Message}): {json[..Math.Min(json.Length, 300)]}");
        }

        return serials;
    }

    private static async Task IdnAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var runs = context.Int("idn-runs", 3, 1);
        await using var testbed = await FaultTestbed.StartAsync();
        var host = Path.Combine(testbed.Root, "host");
        var config = testbed.WriteConfiguration(host, [("idn", "bücher.example.test")]);
        var walls = new List<double>();
        var failures = new List<string>();
        for (var i = 0; i < runs; i++)
        {
            var run = await testbed.RunAsync(config, "issue", "idn");
            if (run.Succeeded)
            {
                walls.Add(run.Wall.TotalSeconds);
            }
            else
            {
                failures.Add(run.Tail(5));
                BenchContext.Log("idn: " + run.Tail(5));
            }
        }

        var left = testbed.TxtSetsLeft() + await FaultTestbed.JournalEntriesLeftAsync(host);
        table.Add($"IDN certificate `bücher.example.test` (TXT at `_acme-challenge.xn--bcher-kva`), {runs} issuances",
            $"{walls.Count}/{runs} issued; wall s {Summary.Of(walls).Format()}; {left} TXT sets + journal entries left",
            $"{runs}/{runs}", failures.Count == 0 && left == 0 ? "met" : "MISSED");
        data["idn"] = new { runs, walls, failures, left };
    }

    private static async Task SilentCaAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var runs = context.Int("silent-ca-runs", 1, 1);
        await using var testbed = await FaultTestbed.StartAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        // Accept every connection and never answer: the TLS handshake (or the request) hangs until the client gives up.
        var acceptor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                held.Add(await listener.AcceptTcpClientAsync(stop.Token));
            }
        });
        var url = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/dir");
        var host = Path.Combine(testbed.Root, "host");
        var config = testbed.WriteConfiguration(host, [("site", "silent.example.test")], url);
        var walls = new List<double>();
        var clear = 0;
        var outcomes = new List<object>();
        for (var i = 0; i < runs; i++)
        {
            var run = await testbed.RunAsync(config, "issue", "site");
            walls.Add(run.Wall.TotalSeconds);
            var namesUrl = run.Error.Contains(url.Authority, StringComparison.Ordinal);
            var trace = run.Error.Contains("   at ", StringComparison.Ordinal);
            clear += run.ExitCode == 1 && namesUrl && !trace ? 1 : 0;
            outcomes.Add(new { run.ExitCode, namesUrl, trace, error = run.Tail(3) });
            BenchContext.Log($"silent CA: exit {run.ExitCode} after {run.Wall.TotalSeconds:F1} s: {run.Tail(3)}");
        }

        await stop.CancelAsync();
        listener.Stop();
        held.ForEach(c => c.Dispose());
        await acceptor.ContinueWith(_ => { }, TaskScheduler.Default);
        table.Add($"a CA that accepts TCP and never answers, `issue` ({runs} run{(runs == 1 ? "" : "s")})",
            $"{clear}/{runs} ended with exit 1 and one line naming the URL (no trace); time to the error s {Summary.Of(walls).Format()}",
            $"{runs}/{runs} clear", clear == runs ? "met" : "MISSED");
        data["silent-ca"] = new { runs, walls, outcomes };
    }

    private static async Task ReadOnlyRenewAsync(BenchContext context, MarkdownTable table, Dictionary<string, object?> data)
    {
        var runs = context.Int("read-only-runs", 3, 1);
        await using var testbed = await FaultTestbed.StartAsync();
        var host = Path.Combine(testbed.Root, "host");
        var config = testbed.WriteConfiguration(host, [("site", "readonly.example.test")]);
        var issued = await testbed.RunAsync(config, "issue", "site");
        if (!issued.Succeeded)
        {
            throw new InvalidOperationException("read-only: the first issue failed: " + issued.Tail());
        }

        var serial = FaultTestbed.LiveSerial(host, "site");
        var states = Path.Combine(host, "state", "certificates");
        var clean = 0;
        var walls = new List<double>();
        var outcomes = new List<object>();
        // chattr +i: read-only even for root (the bench runs as root in CI); lifted again before the testbed is removed.
        await ProcessRun.RunAsync("chattr", ["+i", states]);
        try
        {
            for (var i = 0; i < runs; i++)
            {
                var run = await testbed.RunAsync(config, "renew", "site", "--force");
                walls.Add(run.Wall.TotalSeconds);
                var trace = (run.Output + run.Error).Contains("   at ", StringComparison.Ordinal);
                var namesPath = (run.Output + run.Error).Contains(states, StringComparison.Ordinal);
                var liveUnchanged = FaultTestbed.LiveSerial(host, "site") == serial;
                clean += run.ExitCode == 1 && !trace && namesPath && liveUnchanged ? 1 : 0;
                outcomes.Add(new { run.ExitCode, trace, namesPath, liveUnchanged, error = run.Tail(3) });
                BenchContext.Log($"read-only renew: exit {run.ExitCode} after {run.Wall.TotalSeconds:F1} s: {run.Tail(3)}");
            }
        }
        finally
        {
            await ProcessRun.RunAsync("chattr", ["-i", states]);
        }

        var left = testbed.TxtSetsLeft() + await FaultTestbed.JournalEntriesLeftAsync(host);
        table.Add($"`renew --force` with a read-only state directory (`chattr +i state/certificates`), {runs} runs",
            $"{clean}/{runs} exit 1 naming the state path, no trace, live serial unchanged; wall s {Summary.Of(walls).Format()}; {left} TXT sets + journal entries left",
            $"{runs}/{runs} clean", clean == runs && left == 0 ? "met" : "MISSED");
        data["read-only-renew"] = new { runs, walls, outcomes, left };
    }
}
