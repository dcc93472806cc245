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
        Assert.Equal("../lib/certdaemon/certdaemon", new FileInfo(launcher).LinkTarget);
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
    public async Task A_second_run_keeps_an_edited_configuration_and_replaces_the_program_files()
    {
        var root = tree.NewDestDir();
        var first = await InstalledTree.RunInstallAsync(root, ["--from", tree.PublishedFiles]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var config = Path.Combine(root, "etc/certdaemon/certdaemon.json");
        const string edited = """{ "Acme": { "Email": "me@example.org" } }""";
        await File.WriteAllTextAsync(config, edited);
        var stale = Path.Combine(root, "usr/local/lib/certdaemon/stale.dll");
        await File.WriteAllTextAsync(stale, "left over from an older version");
        var existingCertificates = Path.Combine(root, "etc/letsencrypt");
        File.SetUnixFileMode(existingCertificates, Mode0700);

        var second = await InstalledTree.RunInstallAsync(root, ["--from", tree.PublishedFiles]);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(edited, await File.ReadAllTextAsync(config));
        Assert.Contains("keeping the existing /etc/certdaemon/certdaemon.json", second.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(stale), "the program directory is replaced as a whole");
        Assert.True(File.Exists(Path.Combine(root, "usr/local/lib/certdaemon/certdaemon.dll")));
        Assert.Equal(Mode0700, File.GetUnixFileMode(existingCertificates)); // an existing (certbot) tree is not changed
    }

    [Fact]
    public async Task Uninstall_removes_program_and_unit_and_keeps_configuration_state_and_certificates()
    {
        var root = tree.NewDestDir();
        var install = await InstalledTree.RunInstallAsync(root, ["--from", tree.PublishedFiles]);
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
    public async Task A_failed_ReadyToRun_publish_falls_back_to_a_plain_publish_and_says_so()
    {
        // A stand-in dotnet: refuses ReadyToRun the way a missing crossgen2 package does, "publishes" otherwise.
        var bin = Path.Combine(tree.NewDestDir(), "bin");
        Directory.CreateDirectory(bin);
        var fakeDotnet = Path.Combine(bin, "dotnet");
        await File.WriteAllTextAsync(fakeDotnet, """
            #!/bin/bash
            for a in "$@"; do
              if [ "$a" = "-p:PublishReadyToRun=true" ]; then echo "error NU1101: Unable to find package Microsoft.NETCore.App.Crossgen2.linux-x64"; exit 1; fi
            done
            prev=; for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done
            mkdir -p "$out" && cp -R "$PUBLISHED"/. "$out"/
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(fakeDotnet, Mode0755);
        var root = tree.NewDestDir();

        var run = await ScriptRun.RunAsync(
            "bash",
            [Path.Combine(RepositoryRoot.Path, "deploy/install.sh")],
            new Dictionary<string, string?>
            {
                ["DESTDIR"] = root,
                ["PUBLISHED"] = tree.PublishedFiles,
                ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            },
            TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("falling back to a plain publish", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("Crossgen2", run.StandardError, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "usr/local/lib/certdaemon/certdaemon.dll")));
    }

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
