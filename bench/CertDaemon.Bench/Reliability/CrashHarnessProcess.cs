using System.Diagnostics;
using CertDaemon.Bench.Infrastructure;

namespace CertDaemon.Bench.Reliability;

/// <summary>
/// tests/CertDaemon.CrashHarness (commit a new version, deploy it to nginx: test, reload, served check; in a loop),
/// started as its own process and stopped with SIGKILL.
/// </summary>
internal sealed class CrashHarnessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _errors = [];
    private int _commits;
    private int _deploys;

    private CrashHarnessProcess(Process process) => _process = process;

    public int Commits => Volatile.Read(ref _commits);

    public int Deploys => Volatile.Read(ref _deploys);

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    public static string HarnessPath
    {
        get
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            return Path.GetFullPath(Path.Combine(output.FullName, "..", "..", "..", "..", "..", "tests", "CertDaemon.CrashHarness", "bin",
                output.Parent!.Name, output.Name, "CertDaemon.CrashHarness.dll"));
        }
    }

    public static async Task<CrashHarnessProcess> StartAsync(string certificateDirectory, string name, string nginxJson)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", [HarnessPath, certificateDirectory, name])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment = { ["CRASH_HARNESS_NGINX"] = nginxJson },
            },
        };
        var harness = new CrashHarnessProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                harness._ready.TrySetResult();
            }
            else if (e.Data?.StartsWith("committed", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref harness._commits);
            }
            else if (e.Data?.StartsWith("deployed", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref harness._deploys);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (harness._errors)
                {
                    harness._errors.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await harness._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return harness;
    }

    /// <summary>SIGKILL: no finally blocks, no flushing - a power cut for the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        BenchContext.Log($"harness killed after {Commits} commits / {Deploys} deploys");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
