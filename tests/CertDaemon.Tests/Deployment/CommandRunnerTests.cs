using System.Diagnostics;
using System.Globalization;
using CertDaemon.Processes;
using CertDaemon.Testbed;

namespace CertDaemon.Tests.Deployment;

public sealed class CommandRunnerTests
{
    private readonly CommandRunner _runner = new(TimeProvider.System);

    [Fact]
    public async Task Captures_stdout_and_stderr_and_the_exit_code_without_a_shell()
    {
        var result = await _runner.RunAsync(["/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 3"], TimeSpan.FromSeconds(10));

        Assert.Equal(CommandStatus.Exited, result.Status);
        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Contains("to-out", result.Output, StringComparison.Ordinal);
        Assert.Contains("to-err", result.Output, StringComparison.Ordinal);
        Assert.Equal("`/bin/sh -c 'echo to-out; echo to-err >&2; exit 3'` failed with exit code 3", result.Describe());

        // Arguments reach the program verbatim: no shell splits or expands them.
        var echo = await _runner.RunAsync(["/bin/echo", "$HOME", "a b", "*"], TimeSpan.FromSeconds(10));
        Assert.True(echo.Succeeded);
        Assert.Equal("$HOME a b *\n", echo.Output);
    }

    [Fact]
    public async Task Timeout_kills_the_process_tree_and_reports_TimedOut()
    {
        var pidFile = Path.Combine(TestbedPaths.NewRunDirectory("commands"), "child.pid");
        var started = Stopwatch.StartNew();

        var result = await _runner.RunAsync(["/bin/sh", "-c", "sleep 30 & echo $! > \"$0\"; wait", pidFile], TimeSpan.FromSeconds(1));

        Assert.Equal(CommandStatus.TimedOut, result.Status);
        Assert.True(result.TimedOut);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
        Assert.Contains("did not finish within 1 s and was killed", result.Describe(), StringComparison.Ordinal);
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        Assert.False(IsRunning(child), $"the sleep child {child} outlived the timeout");

        var plain = await _runner.RunAsync(["sleep", "30"], TimeSpan.FromSeconds(1));
        Assert.True(plain.TimedOut);
        Assert.True(plain.Duration < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Missing_program_is_a_NotStarted_result_naming_it()
    {
        var bare = await _runner.RunAsync(["certdaemon-no-such-program", "-t"], TimeSpan.FromSeconds(5));
        Assert.Equal(CommandStatus.NotStarted, bare.Status);
        Assert.Null(bare.ExitCode);
        Assert.Contains("program \"certdaemon-no-such-program\" was not found on PATH", bare.StartError, StringComparison.Ordinal);
        Assert.StartsWith("`certdaemon-no-such-program -t` could not be started", bare.Describe(), StringComparison.Ordinal);

        var absolute = await _runner.RunAsync(["/nonexistent/nginx"], TimeSpan.FromSeconds(5));
        Assert.Equal(CommandStatus.NotStarted, absolute.Status);
        Assert.Contains("\"/nonexistent/nginx\" does not exist", absolute.StartError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extra_environment_is_added_and_stdin_is_closed()
    {
        var result = await _runner.RunAsync(
            ["/bin/sh", "-c", "printf '%s|%s' \"$CERTDAEMON_TEST_VALUE\" \"${HOME-unset}\"; cat"],
            TimeSpan.FromSeconds(10),
            new Dictionary<string, string?> { ["CERTDAEMON_TEST_VALUE"] = "x y", ["HOME"] = null });

        Assert.True(result.Succeeded, result.Output);
        Assert.Equal("x y|unset", result.Output);
    }

    [Fact]
    public async Task Output_is_bounded()
    {
        var result = await _runner.RunAsync(["/bin/sh", "-c", "head -c 300000 /dev/zero | tr '\\0' a"], TimeSpan.FromSeconds(10));

        Assert.True(result.Succeeded);
        Assert.True(result.OutputTruncated);
        Assert.Equal(CommandRunner.MaxOutputChars, result.Output.Length);
    }

    [Fact]
    public async Task Cancellation_kills_the_process_and_throws()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _runner.RunAsync(["sleep", "30"], TimeSpan.FromSeconds(30), cancellationToken: cancel.Token));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10));
    }

    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        // A killed child re-parented to a PID 1 that does not reap stays a zombie ("Z"): it is not running.
        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
    }
}
