using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CertDaemon.Bench.Infrastructure;

/// <summary>Command-line switches shared by every benchmark, and where results go.</summary>
internal sealed class BenchContext
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public BenchContext(bool quick, string resultsDirectory, IReadOnlyDictionary<string, string> settings)
    {
        Quick = quick;
        ResultsDirectory = resultsDirectory;
        Settings = settings;
        Directory.CreateDirectory(resultsDirectory);
    }

    /// <summary>Fewer runs and smaller sizes, for a smoke check of the benchmark itself (minutes, not half an hour).</summary>
    public bool Quick { get; }

    public string ResultsDirectory { get; }

    /// <summary><c>--key value</c> options after the benchmark name.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>
    /// The certdaemon executable: <c>BENCH_CERTDAEMON</c>, else the product's own build output of the same configuration
    /// (src/CertDaemon/bin/CONFIG/TFM; the copy next to this program would run with the benchmark's dependency set).
    /// </summary>
    public static string CertDaemonPath => Environment.GetEnvironmentVariable("BENCH_CERTDAEMON") is { Length: > 0 } path ? path
        : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "CertDaemon", "bin",
            new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name, "certdaemon"));

    /// <summary>This program's own executable (the peers' Route53 hook runs it).</summary>
    public static string BenchPath => Path.Combine(AppContext.BaseDirectory, "CertDaemon.Bench");

    public int Int(string key, int full, int quick) =>
        Settings.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : Quick ? quick : full;

    public string? String(string key) => Settings.TryGetValue(key, out var value) ? value : null;

    /// <summary>Prints the markdown and writes <c>NAME.md</c> + <c>NAME.json</c> in the results directory.</summary>
    public void Publish(string name, string markdown, object data)
    {
        var header = $"<!-- {name}: {TimeProvider.System.GetUtcNow().ToString("u", CultureInfo.InvariantCulture)}, load {LoadAverage()}, quick={Quick} -->\n";
        Console.WriteLine();
        Console.WriteLine(header + markdown);
        File.WriteAllText(Path.Combine(ResultsDirectory, name + ".md"), header + markdown, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(ResultsDirectory, name + ".json"), JsonSerializer.Serialize(data, JsonOptions), new UTF8Encoding(false));
    }

    public static void Log(string message) => Console.Error.WriteLine($"[{TimeProvider.System.GetUtcNow().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {message}");

    /// <summary>/proc/loadavg's first three fields: how busy the (shared) machine was.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
