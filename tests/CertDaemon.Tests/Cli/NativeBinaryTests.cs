using CertDaemon.Sandbox;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// The process-level tests (sandbox, daemon, CLI) prove the shipped form only if they drive it: scripts/test.sh publishes
/// the Native AOT binary and names it in <c>TEST_CERTDAEMON_BINARY</c>. Run the suite through scripts/test.sh.
/// </summary>
public sealed class NativeBinaryTests
{
    [Fact]
    public async Task The_process_tests_drive_the_native_binary_which_maps_idn_names_without_icu()
    {
        var native = Environment.GetEnvironmentVariable(SandboxOptions.BinaryVariable);
        Assert.False(string.IsNullOrEmpty(native), $"{SandboxOptions.BinaryVariable} is not set: scripts/test.sh publishes the native binary (eng/publish.sh) and sets it");
        Assert.Equal(Path.GetFullPath(native), CliProcess.ExecutablePath);

        // Native AOT: one ELF executable, no managed assembly beside it for a runtime to load.
        var header = new byte[4];
        await using (var file = File.OpenRead(native))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], header);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(native)!, "certdaemon.dll")));

        // Invariant globalization holds up: the example's IDN name maps to punycode in the trimmed binary too.
        var state = Path.Combine(Path.GetTempPath(), "certdaemon-native-" + Guid.NewGuid().ToString("N"));
        try
        {
            var check = await CliProcess.RunAsync(
                ["config", "check", "--config", Path.Combine(RepositoryRoot.Path, "tests", "CertDaemon.Tests", "Cli", "native-check.json")],
                new Dictionary<string, string?> { ["CERTDAEMON_StateDirectory"] = state, ["CERTDAEMON_CertificateDirectory"] = state });
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.Contains("xn--bcher-kva.example.net", check.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }
}
