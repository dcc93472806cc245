using System.Globalization;
using System.Text.RegularExpressions;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Deploy;

public sealed partial class InstallScriptTests(InstalledTree tree) : IClassFixture<InstalledTree>
{
    private const UnixFileMode Mode0750 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode0755 = Mode0750 | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Install_into_destdir_gives_a_working_launcher_private_directories_and_the_unit()
    {
        var install = tree.FirstInstall!;
        Assert.True(install.ExitCode == 0, install.ToString());
        var root = tree.DestDir;

        var launcher = Path.Combine(root, "usr/local/bin/certdaemon");
        Assert.Null(new FileInfo(launcher).LinkTarget);
        Assert.Equal(Mode0755, File.GetUnixFileMode(launcher));
        Assert.False(Directory.Exists(Path.Combine(root, "usr/local/lib/certdaemon")), "one native binary, no program directory");
        var help = await ScriptRun.RunAsync(launcher, ["--help"], null, TimeSpan.FromMinutes(1));
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("certdaemon", help.StandardOutput, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(Mode0750, File.GetUnixFileMode(Path.Combine(root, "etc/certdaemon")));
        Assert.Equal(Mode0700, File.GetUnixFileMode(Path.Combine(root, "var/lib/certdaemon")));
        Assert.Equal(Mode0755, File.GetUnixFileMode(Path.Combine(root, "etc/letsencrypt")));
        var config = Path.Combine(root, "etc/certdaemon/certdaemon.json");
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy/certdaemon.example.json")),
            await File.ReadAllTextAsync(config));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config));

        var unit = Path.Combine(root, "etc/systemd/system/certdaemon.service");
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy/systemd/certdaemon.service")),
            await File.ReadAllTextAsync(unit));
        Assert.True(File.Exists(Path.Combine(root, "usr/local/share/doc/certdaemon/README.md")));
        Assert.Contains("certdaemon config check", install.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("certdaemon iam-policy", install.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now certdaemon", install.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_run_keeps_an_edited_configuration_replaces_the_binary_and_removes_an_old_program_directory()
    {
        var root = tree.NewDestDir();
        var first = await InstalledTree.RunInstallAsync(root, ["--binary", tree.InstalledBinary]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var config = Path.Combine(root, "etc/certdaemon/certdaemon.json");
        const string edited = """{ "Acme": { "Email": "me@example.org" } }""";
        await File.WriteAllTextAsync(config, edited);
        // What a framework-dependent install of an older version left: a program directory and a symlink into it.
        var stale = Path.Combine(root, "usr/local/lib/certdaemon/certdaemon.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        await File.WriteAllTextAsync(stale, "left over from an older version");
        var binary = Path.Combine(root, "usr/local/bin/certdaemon");
        File.Delete(binary);
        File.CreateSymbolicLink(binary, "../lib/certdaemon/certdaemon");
        var existingCertificates = Path.Combine(root, "etc/letsencrypt");
        File.SetUnixFileMode(existingCertificates, Mode0700);

        var second = await InstalledTree.RunInstallAsync(root, ["--binary", tree.InstalledBinary]);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(edited, await File.ReadAllTextAsync(config));
        Assert.Contains("keeping the existing /etc/certdaemon/certdaemon.json", second.StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(stale)), "the old program directory is removed");
        Assert.Null(new FileInfo(binary).LinkTarget);
        Assert.Equal(new FileInfo(tree.InstalledBinary).Length, new FileInfo(binary).Length);
        Assert.Equal(Mode0700, File.GetUnixFileMode(existingCertificates)); // an existing (certbot) tree is not changed
    }

    [Fact]
    public async Task Uninstall_removes_program_and_unit_and_keeps_configuration_state_and_certificates()
    {
        var root = tree.NewDestDir();
        var install = await InstalledTree.RunInstallAsync(root, ["--binary", tree.InstalledBinary]);
        Assert.True(install.ExitCode == 0, install.ToString());
        var account = Path.Combine(root, "var/lib/certdaemon/account.json");
        await File.WriteAllTextAsync(account, "{}");
        var certificate = Path.Combine(root, "etc/letsencrypt/live/example/cert.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(certificate)!);
        await File.WriteAllTextAsync(certificate, "pem");

        var uninstall = await InstalledTree.RunInstallAsync(root, ["--uninstall"]);

        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(File.Exists(Path.Combine(root, "usr/local/bin/certdaemon")) || Directory.Exists(Path.Combine(root, "usr/local/lib/certdaemon")));
        Assert.Null(new FileInfo(Path.Combine(root, "usr/local/bin/certdaemon")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(root, "etc/systemd/system/certdaemon.service")));
        Assert.True(File.Exists(Path.Combine(root, "etc/certdaemon/certdaemon.json")));
        Assert.True(File.Exists(account));
        Assert.True(File.Exists(certificate));

        var purge = await InstalledTree.RunInstallAsync(root, ["--uninstall", "--purge"]);

        Assert.True(purge.ExitCode == 0, purge.ToString());
        Assert.False(Directory.Exists(Path.Combine(root, "etc/certdaemon")));
        Assert.False(Directory.Exists(Path.Combine(root, "var/lib/certdaemon")));
        Assert.True(File.Exists(certificate), "certificates are never purged: nginx points at them");
    }

    [Fact]
    public async Task Without_a_binary_it_builds_the_native_binary_for_the_machines_architecture_from_uname()
    {
        // Stand-ins: dotnet records its arguments and "publishes" the suite's binary; uname says x86_64.
        var bin = await StandInsAsync("x86_64");
        var root = tree.NewDestDir();

        var run = await RunWithStandInsAsync(bin, root, []);

        Assert.True(run.ExitCode == 0, run.ToString());
        var publish = await File.ReadAllTextAsync(Path.Combine(bin, "dotnet.args"));
        Assert.Contains("publish", publish, StringComparison.Ordinal);
        Assert.Contains("-r linux-x64", publish, StringComparison.Ordinal);
        Assert.Contains("src/CertDaemon/CertDaemon.csproj", publish, StringComparison.Ordinal);
        Assert.Equal(new FileInfo(tree.InstalledBinary).Length, new FileInfo(Path.Combine(root, "usr/local/bin/certdaemon")).Length);
    }

    [Fact]
    public async Task On_an_arm64_machine_it_builds_for_linux_arm64_and_refuses_an_x64_binary()
    {
        var bin = await StandInsAsync("aarch64");

        var built = await RunWithStandInsAsync(bin, tree.NewDestDir(), []);
        var prebuilt = await RunWithStandInsAsync(bin, tree.NewDestDir(), ["--binary", tree.InstalledBinary]);

        // The stand-in dotnet hands back the x64 binary: install.sh notices, whichever way it came.
        Assert.Contains("-r linux-arm64", await File.ReadAllTextAsync(Path.Combine(bin, "dotnet.args")), StringComparison.Ordinal);
        Assert.True(built.ExitCode == 1, built.ToString());
        Assert.Contains("is built for linux-x64, this install is for linux-arm64 (uname -m: aarch64)", built.StandardError, StringComparison.Ordinal);
        Assert.True(prebuilt.ExitCode == 1, prebuilt.ToString());
        Assert.Contains("is built for linux-x64, this install is for linux-arm64", prebuilt.StandardError, StringComparison.Ordinal);
    }

    private async Task<string> StandInsAsync(string machine)
    {
        var bin = Path.Combine(tree.NewDestDir(), "bin");
        Directory.CreateDirectory(bin);
        var fakeDotnet = Path.Combine(bin, "dotnet");
        await File.WriteAllTextAsync(fakeDotnet, $$"""
            #!/bin/bash
            echo "$*" >> "{{bin}}/dotnet.args"
            prev=; for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
            mkdir -p "$out" && cp "$PUBLISHED" "$out/certdaemon"
            """.ReplaceLineEndings("\n"));
        var fakeUname = Path.Combine(bin, "uname");
        await File.WriteAllTextAsync(fakeUname, $"#!/bin/sh\n[ \"$1\" = -m ] && echo {machine} && exit 0\nexec /bin/uname \"$@\"\n");
        File.SetUnixFileMode(fakeDotnet, Mode0755);
        File.SetUnixFileMode(fakeUname, Mode0755);
        return bin;
    }

    private Task<ScriptRun> RunWithStandInsAsync(string bin, string root, IEnumerable<string> arguments) =>
        ScriptRun.RunAsync(
            "bash",
            [Path.Combine(RepositoryRoot.Path, "deploy/install.sh"), .. arguments],
            new Dictionary<string, string?>
            {
                ["DESTDIR"] = root,
                ["PUBLISHED"] = tree.InstalledBinary,
                ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            },
            TimeSpan.FromMinutes(2));

    [Fact]
    public async Task Unknown_arguments_are_a_usage_error()
    {
        var run = await InstalledTree.RunInstallAsync(tree.NewDestDir(), ["--frobnicate"]);
        Assert.True(run.ExitCode == 2, run.ToString());
    }

    [Fact]
    public async Task The_unit_rates_an_overall_exposure_of_at_most_2_5()
    {
        var unit = Path.Combine(RepositoryRoot.Path, "deploy/systemd/certdaemon.service");
        ScriptRun analysis;
        try
        {
            analysis = await ScriptRun.RunAsync("systemd-analyze", ["security", "--offline=true", unit], null, TimeSpan.FromMinutes(1));
        }
        catch (System.ComponentModel.Win32Exception missing)
        {
            Assert.Fail($"systemd-analyze is needed for this test (Debian/Ubuntu package 'systemd'; scripts/test.sh installs it): {missing.Message}");
            return;
        }

        var match = OverallExposure().Match(analysis.StandardOutput + analysis.StandardError);
        Assert.True(match.Success, "no 'Overall exposure level' line in:\n" + analysis);
        var exposure = double.Parse(match.Groups["level"].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 2.5, $"overall exposure {exposure} > 2.5:\n{analysis.StandardOutput}");
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (?<level>\d+(\.\d+)?)")]
    private static partial Regex OverallExposure();
}
