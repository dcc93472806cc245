using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Cli;

/// <summary>
/// The linux-arm64 binary (Graviton instances) is cross-compiled by scripts/test.sh (eng/publish.sh --rid linux-arm64,
/// named in <c>TEST_CERTDAEMON_ARM64_BINARY</c>) and run here under user-mode emulation (qemu-aarch64-static, with
/// Debian's arm64 cross sysroot as its library root): it starts, reports the same version as the x64 binary, accepts a
/// valid configuration and refuses the shipped example.
/// </summary>
public sealed class Arm64BinaryTests
{
    private const string Arm64Variable = "TEST_CERTDAEMON_ARM64_BINARY";
    private const string Emulator = "qemu-aarch64-static";
    private const string Sysroot = "/usr/aarch64-linux-gnu";
    private const ushort ElfMachineAarch64 = 0xB7;

    [Fact]
    public async Task The_arm64_binary_answers_version_and_checks_configurations_under_qemu()
    {
        var arm64 = Environment.GetEnvironmentVariable(Arm64Variable);
        Assert.False(string.IsNullOrEmpty(arm64), $"{Arm64Variable} is not set: scripts/test.sh cross-compiles the arm64 binary (eng/publish.sh --rid linux-arm64) and sets it");
        Assert.Equal(ElfMachineAarch64, await ElfMachineAsync(arm64));

        var version = await RunAsync(arm64, ["--version"]);
        Assert.True(version.ExitCode == 0, version.ToString());
        var x64 = await CliProcess.RunAsync(["--version"]);
        Assert.True(x64.ExitCode == 0, x64.ToString());
        Assert.Equal(x64.Output.Trim(), version.Output.Trim());

        var state = Path.Combine(Path.GetTempPath(), "certdaemon-arm64-" + Guid.NewGuid().ToString("N"));
        try
        {
            var locations = new Dictionary<string, string?> { ["CERTDAEMON_StateDirectory"] = state, ["CERTDAEMON_CertificateDirectory"] = state };
            var valid = await RunAsync(arm64, ["config", "check", "--config", Path.Combine(RepositoryRoot.Path, "tests", "CertDaemon.Tests", "Cli", "native-check.json")], locations);
            Assert.True(valid.ExitCode == 0, valid.ToString());
            Assert.Contains("xn--bcher-kva.example.net", valid.Output, StringComparison.Ordinal);

            var example = await RunAsync(arm64, ["config", "check", "--config", Path.Combine(RepositoryRoot.Path, "deploy", "certdaemon.example.json")], locations);
            Assert.True(example.ExitCode == 78, example.ToString());
            Assert.Contains("$.Acme.AcceptTermsOfService", example.Output + example.Error, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(state))
            {
                Directory.Delete(state, recursive: true);
            }
        }
    }

    private static Task<CliProcess.Result> RunAsync(string arm64, string[] arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        CliProcess.RunProgramAsync(Emulator, ["-L", Sysroot, arm64, .. arguments], environment, TimeSpan.FromMinutes(2));

    /// <summary>e_machine of an ELF file (offset 18, little-endian): which CPU the binary is for.</summary>
    private static async Task<ushort> ElfMachineAsync(string path)
    {
        var header = new byte[20];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadExactlyAsync(header);
        }

        Assert.Equal([0x7f, (byte)'E', (byte)'L', (byte)'F'], header[..4]);
        return BitConverter.ToUInt16(header, 18);
    }
}
