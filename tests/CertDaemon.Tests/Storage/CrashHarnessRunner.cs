using System.Diagnostics;

namespace CertDaemon.Tests.Storage;

/// <summary>Starts the crash harness (commits, and optionally nginx deploys, in a loop) and SIGKILLs it after a delay.</summary>
internal static class CrashHarnessRunner
{
    public static async Task<(int Commits, int Deploys)> RunAndKillAsync(string harness, string root, string name, TimeSpan delay, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commits = 0;
        var deploys = 0;
        var errors = new List<string>();
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", [harness, root, name])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
            else if (e.Data?.StartsWith("committed", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref commits);
            }
            else if (e.Data?.StartsWith("deployed", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref deploys);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            process.StartInfo.Environment[key] = value;
        }

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(delay);
        }
        finally
        {
            // SIGKILL: no finally blocks, no flushing, exactly like a power cut for the process (not the disk).
            process.Kill();
            await process.WaitForExitAsync();
        }

        lock (errors)
        {
            Assert.True(errors.Count == 0, "the harness failed: " + string.Join("\n", errors));
        }

        return (Volatile.Read(ref commits), Volatile.Read(ref deploys));
    }

    /// <summary>The harness built next to this test assembly: tests/CertDaemon.CrashHarness/bin/CONFIG/TFM/.</summary>
    public static string HarnessPath()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var path = Path.Combine(CertDaemon.Tests.Testbed.RepositoryRoot.Path, "tests", "CertDaemon.CrashHarness", "bin", configuration, framework, "CertDaemon.CrashHarness.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (CertDaemon.sln) first");
        return path;
    }
}
