using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using CertDaemon.Sandbox;
using CertDaemon.Tests.Deploy;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Sandbox;

/// <summary>
/// The README's first command, <c>bash scripts/sandbox.sh</c>, exactly as an operator runs it (the build inside it is a
/// no-op: it builds the configuration these tests were built with), plus the sandbox program's failure and Ctrl-C paths.
/// </summary>
public sealed partial class SandboxCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_readme_sandbox_command_runs_every_step_proves_the_renewal_is_served_and_stops_everything()
    {
        var run = await ScriptRun.RunAsync(
            "bash", ["scripts/sandbox.sh"],
            new Dictionary<string, string?> { ["CERTDAEMON_SANDBOX_CONFIGURATION"] = BuildConfiguration, ["CERTDAEMON_SANDBOX_ACM"] = null },
            TimeSpan.FromMinutes(5));
        output.WriteLine(run.ToString());

        Assert.Equal(0, run.ExitCode);
        var text = run.StandardOutput;
        Assert.DoesNotContain("FAILED", text, StringComparison.Ordinal);
        Assert.Matches(PassedLine(), text);
        Assert.Contains("certdaemon config check", text, StringComparison.Ordinal);
        Assert.Contains("configuration is valid", text, StringComparison.Ordinal);
        Assert.Contains("ChangeChallengeRecordsInConfiguredZones: route53:ChangeResourceRecordSets", text, StringComparison.Ordinal);
        Assert.Contains("$ certdaemon issue example", text, StringComparison.Ordinal);
        Assert.Contains("CREATE TXT _acme-challenge.example.test.", text, StringComparison.Ordinal);
        Assert.Contains("DELETE TXT _acme-challenge.example.test.", text, StringComparison.Ordinal);
        Assert.Contains("live/example/cert.pem now leads to cert2.pem", text, StringComparison.Ordinal);
        Assert.Contains("$ certdaemon " + string.Join(' ', SandboxProgram.RenewArguments), text, StringComparison.Ordinal);

        // Step 9 saw the issued serial, step 12 the renewed one; they differ, and the chain verified both times.
        var served = ServedLine().Matches(text).Select(m => m.Groups["serial"].Value).ToList();
        Assert.Equal(2, served.Count);
        Assert.NotEqual(served[0], served[1]);
        Assert.Equal(2, Regex.Count(text, "the chain nginx sends verifies up to the test CA's root"));
        Assert.Contains($"serial {served[0]} -> {served[1]}", text, StringComparison.Ordinal);

        if (SandboxOptions.AcmByDefault)
        {
            Assert.Contains($"now holding the renewed serial {served[1]}", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("ACM import is off for this run", text, StringComparison.Ordinal);
        }

        AssertEverythingStopped(text);
    }

    [Fact]
    public async Task A_failing_step_exits_1_prints_the_commands_whole_output_and_still_stops_everything()
    {
        var fake = Path.Combine(Path.GetTempPath(), "certdaemon-fake-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(fake, "#!/bin/sh\necho \"nginx: [emerg] pretend failure for $*\" >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var run = await ScriptRun.RunAsync(SandboxExecutable, ["--certdaemon", fake, "--no-acm"], null, TimeSpan.FromMinutes(2));
            output.WriteLine(run.ToString());

            Assert.Equal(1, run.ExitCode);
            var text = run.StandardOutput;
            Assert.Matches(@"\n 6\. Writing CertDaemon's configuration and checking it: certdaemon config check \.\.\. FAILED", text);
            Assert.Contains("'certdaemon config check' exited with 1, expected 0", text, StringComparison.Ordinal);
            Assert.Contains("| nginx: [emerg] pretend failure for config check", text, StringComparison.Ordinal);
            Assert.DoesNotContain(" 7. ", text, StringComparison.Ordinal);
            Assert.Contains("Sandbox FAILED", text, StringComparison.Ordinal);
            AssertEverythingStopped(text);
        }
        finally
        {
            File.Delete(fake);
        }
    }

    [Fact]
    public async Task Ctrl_C_interrupts_the_run_and_stops_everything_it_started()
    {
        var start = new ProcessStartInfo(SandboxExecutable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--no-acm");
        using var process = Process.Start(start)!;
        var text = new StringBuilder();
        var reader = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int read;
            while ((read = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (text)
                {
                    text.Append(buffer, 0, read);
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        string Text()
        {
            lock (text)
            {
                return text.ToString();
            }
        }

        // Interrupt once nginx and the emulator are up (step 5 done) - the moment most would be left behind.
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (!Text().Contains(" 6. ", StringComparison.Ordinal) && !process.HasExited && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(20);
        }

        Assert.False(process.HasExited, Text());
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await reader;
        output.WriteLine(Text() + "\n--- stderr\n" + await stderr);

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("Interrupted.", Text(), StringComparison.Ordinal);
        Assert.Contains("Sandbox interrupted: everything it started has been stopped.", Text(), StringComparison.Ordinal);
        AssertEverythingStopped(Text());
    }

    /// <summary>Every process the run names with a pid is gone, nothing is reported still running, and its directory is removed.</summary>
    private static void AssertEverythingStopped(string text)
    {
        Assert.Contains("Stopping everything the sandbox started", text, StringComparison.Ordinal);
        Assert.DoesNotContain("STILL RUNNING", text, StringComparison.Ordinal);
        var pids = PidMention().Matches(text).Select(m => m.Groups["pid"].Value).Distinct().ToList();
        Assert.NotEmpty(pids);
        foreach (var pid in pids)
        {
            Assert.False(Directory.Exists("/proc/" + pid) && !IsZombie(pid), $"process {pid} named by the sandbox is still running");
        }

        var removed = RemovedLine().Match(text);
        Assert.True(removed.Success, "the sandbox did not say which directory it removed");
        Assert.False(Directory.Exists(removed.Groups["dir"].Value));
    }

    private static bool IsZombie(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>The configuration these tests were built in (Debug or Release): the sandbox command then builds nothing new.</summary>
    private static string BuildConfiguration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    private static string SandboxExecutable => Path.Combine(AppContext.BaseDirectory, "certdaemon-sandbox");

    [GeneratedRegex(@"A TLS handshake with nginx (now )?for www\.example\.test sees serial (?<serial>[0-9a-f]+) \.\.\. ok")]
    private static partial Regex ServedLine();

    [GeneratedRegex(@"Sandbox passed: \d+ steps ok")]
    private static partial Regex PassedLine();

    [GeneratedRegex(@"pid (?<pid>\d+)")]
    private static partial Regex PidMention();

    [GeneratedRegex(@"removed (?<dir>/\S+)")]
    private static partial Regex RemovedLine();
}
