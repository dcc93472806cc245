using System.Diagnostics;

namespace CertDaemon.Bench.Infrastructure;

/// <summary>How one child process ended: exit code, wall time, CPU time (user + system, from /proc at exit), output.</summary>
internal sealed record ProcessRun(int ExitCode, TimeSpan Wall, TimeSpan Cpu, long PeakRssBytes, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    public string Tail(int lines = 30) =>
        string.Join('\n', (Output + "\n" + Error).Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    /// <summary>
    /// Runs <paramref name="fileName"/> with a clean AWS/CERTDAEMON environment plus <paramref name="environment"/>.
    /// CPU and peak RSS come from wait4's rusage via <c>/usr/bin/time</c> when <paramref name="measure"/> is set.
    /// </summary>
    public static async Task<ProcessRun> RunAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null, bool measure = false, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var timeFile = measure ? Path.Combine(Path.GetTempPath(), "certdaemon-bench-time-" + Guid.NewGuid().ToString("N")) : null;
        var psi = new ProcessStartInfo(measure ? "/usr/bin/time" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (measure)
        {
            psi.ArgumentList.Add("-f");
            psi.ArgumentList.Add("%e %U %S %M");
            psi.ArgumentList.Add("-o");
            psi.ArgumentList.Add(timeFile!);
            psi.ArgumentList.Add(fileName);
        }

        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("CERTDAEMON_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[key] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return new ProcessRun(-1, stopwatch.Elapsed, TimeSpan.Zero, 0, await stdout, "timed out\n" + await stderr);
        }

        var wall = stopwatch.Elapsed;
        var cpu = TimeSpan.Zero;
        long rss = 0;
        if (timeFile is not null)
        {
            var fields = (await File.ReadAllTextAsync(timeFile, CancellationToken.None)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Split(' ');
            cpu = TimeSpan.FromSeconds(double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
            rss = long.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            File.Delete(timeFile);
        }

        return new ProcessRun(process.ExitCode, wall, cpu, rss, await stdout, await stderr);
    }
}
