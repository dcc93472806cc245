using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// deploy/systemd/certdaemon.service sets <c>MemoryDenyWriteExecute=yes</c>: the process (and <c>nginx -t</c>, which it
/// starts inside the same sandbox) may never map memory writable and executable or make a mapping executable later.
/// The binary under test runs a whole issuance - Route53, ACME, nginx -t and reload - under the kernel's own form of
/// that rule (<c>prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN)</c>, what systemd applies where the kernel has it;
/// inherited by every child). A JIT build dies under it at start (SIGSEGV), so this holds only for the native binary.
/// </summary>
public sealed class MemoryDenyWriteExecuteTests
{
    /// <summary>Sets PR_SET_MDWE (65) with PR_MDWE_REFUSE_EXEC_GAIN (1) on itself, then execs argv[1:] (same PID).</summary>
    private const string UnderMdwe =
        "import ctypes, os, sys\n"
        + "libc = ctypes.CDLL(None, use_errno=True)\n"
        + "if libc.prctl(65, 1, 0, 0, 0) != 0: sys.exit('prctl(PR_SET_MDWE) failed: errno %d' % ctypes.get_errno())\n"
        + "os.execv(sys.argv[1], sys.argv[1:])\n";

    [Fact]
    public async Task The_unit_denies_writable_executable_memory_and_an_issuance_with_nginx_test_and_reload_runs_under_it()
    {
        var unit = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy", "systemd", "certdaemon.service"));
        Assert.Contains("\nMemoryDenyWriteExecute=yes\n", unit, StringComparison.Ordinal);

        await using var testbed = await CliTestbed.StartAsync(["example.test"]);
        var result = await CliProcess.RunProgramAsync(
            "python3", ["-c", UnderMdwe, CliProcess.ExecutablePath, "issue", CliTestbed.CertificateName, "--config", testbed.ConfigPath], testbed.Environment);

        Assert.True(result.ExitCode == 0, result + "\n" + testbed.Logs);
        var serial = IssueCommandTests.LiveSerial(testbed);
        Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "example.test", serial));
    }
}
