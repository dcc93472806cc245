using System.Diagnostics;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Cli;

/// <summary>Runs the real <c>certdaemon</c> executable (built next to the tests) as a separate process.</summary>
internal static class CliProcess
{
    /// <summary>
    /// The program the process-level tests drive: <c>$TEST_CERTDAEMON_BINARY</c> when set (scripts/test.sh sets it to
    /// the Native AOT binary it publishes once per run: the shipped form), else the JIT build in its own output folder
    /// (src/CertDaemon/bin/CONFIG/TFM/): the copy next to the tests resolves assemblies through the test's ASP.NET
    /// framework reference.
    /// </summary>
    public static string ExecutablePath
    {
        get
        {
            if (Environment.GetEnvironmentVariable(CertDaemon.Sandbox.SandboxOptions.BinaryVariable) is { Length: > 0 } native)
            {
                return File.Exists(native) ? Path.GetFullPath(native) : throw new FileNotFoundException($"{native} ({CertDaemon.Sandbox.SandboxOptions.BinaryVariable}) is missing", native);
            }

            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var path = Path.Combine(RepositoryRoot.Path, "src", "CertDaemon", "bin", testOutput.Parent!.Name, testOutput.Name, "certdaemon");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build the solution first", path);
        }
    }

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    public static Task<Result> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        RunProgramAsync(ExecutablePath, arguments, environment, timeout);

    /// <summary>Runs any program (setpriv, promtool, a shell) the way <see cref="RunAsync"/> runs certdaemon.</summary>
    public static async Task<Result> RunProgramAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        using var process = StartRaw(program, arguments, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish: {await stdout}\n{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts certdaemon with redirected output; the caller reads (or drains) it and owns the process.</summary>
    public static Process Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartRaw(ExecutablePath, arguments, environment);

    /// <summary>Starts any program with the same clean AWS environment (e.g. a shell that execs certdaemon).</summary>
    public static Process StartRaw(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
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

        // A clean AWS environment: only what the test gives (never the developer's real credentials or IMDS).
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("CERTDAEMON_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi)!;
        process.StandardInput.Close();
        return process;
    }
}
