using System.Globalization;
using System.Text.RegularExpressions;
using CertDaemon.Sandbox;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Deploy;

/// <summary>
/// eng/package.sh on the suite's native binary: the .deb installs into a scratch root (dpkg --root, maintainer scripts
/// chrootless with DPKG_ROOT), lays out files and modes as documented, ships a configuration that refuses to pass
/// <c>config check</c>, a unit that verifies and rates ≤ 2.5, a man page generated from --help, and purges cleanly.
/// The .rpm is built from the same payload and listed with rpm -qlp. (lintian/rpmlint and the arm64 packages run in
/// eng/package.sh itself: docs/packaging.md.)
/// </summary>
public sealed partial class PackageTests
{
    private const string Maintainer = "Jane Operator <jane@ops.example.net>";
    private const string Homepage = "https://certs.ops.example.net/certdaemon";

    [Fact]
    public async Task The_deb_installs_into_a_scratch_root_without_starting_anything_and_purges_to_what_it_found()
    {
        var native = Environment.GetEnvironmentVariable(SandboxOptions.BinaryVariable);
        Assert.False(string.IsNullOrEmpty(native), $"{SandboxOptions.BinaryVariable} is not set: run the suite through scripts/test.sh");
        var work = Path.Combine(Path.GetTempPath(), "certdaemon-package-" + Guid.NewGuid().ToString("N"));
        var output = Path.Combine(work, "packages");
        var root = Path.Combine(work, "root");
        try
        {
            var build = await ScriptRun.RunAsync(
                "bash", [Path.Combine(RepositoryRoot.Path, "eng/package.sh"), "--rid", "linux-x64", "--binary", "linux-x64=" + native, "--output", output, "--version", "1.2.3", "--no-lint"],
                new Dictionary<string, string?> { ["CERTDAEMON_PACKAGE_MAINTAINER"] = Maintainer, ["CERTDAEMON_PACKAGE_HOMEPAGE"] = Homepage },
                TimeSpan.FromMinutes(5));
            Assert.True(build.ExitCode == 0, build.ToString());
            var deb = Path.Combine(output, "certdaemon_1.2.3_amd64.deb");
            var rpm = Path.Combine(output, "certdaemon-1.2.3-1.x86_64.rpm");
            Assert.Equal([deb, rpm], build.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // Who ships it, as given to package.sh: the .deb's control fields and the .rpm's header.
            var control = await ScriptRun.RunAsync("dpkg-deb", ["--field", deb, "Maintainer", "Homepage"], null, TimeSpan.FromMinutes(1));
            Assert.Equal($"Maintainer: {Maintainer}\nHomepage: {Homepage}", control.StandardOutput.Trim());
            var header = await ScriptRun.RunAsync("rpm", ["-qp", "--queryformat", "%{PACKAGER}\\n%{URL}\\n%{CHANGELOGNAME}", rpm], null, TimeSpan.FromMinutes(1));
            Assert.Equal($"{Maintainer}\n{Homepage}\n{Maintainer} - 1.2.3-1", header.StandardOutput.Trim());

            var listing = await ScriptRun.RunAsync("rpm", ["-qlp", rpm], null, TimeSpan.FromMinutes(1));
            Assert.True(listing.ExitCode == 0, listing.ToString());
            Assert.Contains("/usr/bin/certdaemon", listing.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("/usr/lib/systemd/system/certdaemon.service", listing.StandardOutput, StringComparison.Ordinal);
            var rpmConfig = await ScriptRun.RunAsync("rpm", ["-qcp", rpm], null, TimeSpan.FromMinutes(1));
            Assert.Equal("/etc/certdaemon/certdaemon.json", rpmConfig.StandardOutput.Trim());

            Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/info"));
            Directory.CreateDirectory(Path.Combine(root, "var/lib/dpkg/updates"));
            await File.WriteAllTextAsync(Path.Combine(root, "var/lib/dpkg/status"), "");
            var install = await Dpkg(root, "-i", deb);
            Assert.True(install.ExitCode == 0, install.ToString());

            Assert.Equal(Mode("rwxr-xr-x"), File.GetUnixFileMode(Path.Combine(root, "usr/bin/certdaemon")));
            Assert.Equal(Mode("rwxr-x---"), File.GetUnixFileMode(Path.Combine(root, "etc/certdaemon")));
            Assert.Equal(Mode("rw-r-----"), File.GetUnixFileMode(Path.Combine(root, "etc/certdaemon/certdaemon.json")));
            Assert.Equal(Mode("rwx------"), File.GetUnixFileMode(Path.Combine(root, "var/lib/certdaemon")));
            Assert.True(Directory.Exists(Path.Combine(root, "etc/letsencrypt")));
            Assert.True(File.Exists(Path.Combine(root, "usr/share/bash-completion/completions/certdaemon")));
            Assert.False(Directory.Exists(Path.Combine(root, "etc/systemd/system/multi-user.target.wants")), "installing never enables the service");

            // The packaged configuration is the example: refused until the operator accepts the CA's terms.
            var check = await CliProcess.RunAsync(["config", "check", "--config", Path.Combine(root, "etc/certdaemon/certdaemon.json")]);
            Assert.True(check.ExitCode == 78, check.ToString());
            Assert.Contains("$.Acme.AcceptTermsOfService", check.Output + check.Error, StringComparison.Ordinal);

            // The unit as packaged: verifies (its man: documentation link resolves to the packaged page) and rates ≤ 2.5.
            var unit = Path.Combine(root, "lib/systemd/system/certdaemon.service");
            var unitText = await File.ReadAllTextAsync(unit);
            Assert.Contains("ExecStart=/usr/bin/certdaemon run", unitText, StringComparison.Ordinal);
            var verifyCopy = Path.Combine(work, "certdaemon.service");
            await File.WriteAllTextAsync(verifyCopy, unitText.Replace("/usr/bin/certdaemon", Path.Combine(root, "usr/bin/certdaemon"), StringComparison.Ordinal));
            var verify = await ScriptRun.RunAsync("systemd-analyze", ["verify", verifyCopy],
                new Dictionary<string, string?> { ["MANPATH"] = Path.Combine(root, "usr/share/man") }, TimeSpan.FromMinutes(1));
            Assert.True(verify.ExitCode == 0, verify.ToString());
            var security = await ScriptRun.RunAsync("systemd-analyze", ["security", "--offline=true", unit], null, TimeSpan.FromMinutes(1));
            var exposure = OverallExposure().Match(security.StandardOutput + security.StandardError);
            Assert.True(exposure.Success, security.ToString());
            Assert.True(double.Parse(exposure.Groups["level"].Value, CultureInfo.InvariantCulture) <= 2.5, security.StandardOutput);

            // certdaemon(8) is generated from --help: every command the program lists is in it.
            var manual = await ScriptRun.RunAsync("bash", ["-c", $"gzip -dc '{Path.Combine(root, "usr/share/man/man8/certdaemon.8.gz")}'"], null, TimeSpan.FromMinutes(1));
            var help = await CliProcess.RunAsync(["--help"]);
            foreach (Match command in HelpCommand().Matches(help.Output[help.Output.IndexOf("Commands:", StringComparison.Ordinal)..]))
            {
                Assert.Contains($".SS \"certdaemon {command.Groups["name"].Value.Replace("-", "\\-", StringComparison.Ordinal)}\"", manual.StandardOutput, StringComparison.Ordinal);
            }

            var purge = await Dpkg(root, "--purge", "certdaemon");
            Assert.True(purge.ExitCode == 0, purge.ToString());
            var left = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(root, p))
                .Where(p => !p.StartsWith("var/lib/dpkg", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToList();
            // Certificates are never purged (nginx points at them); dpkg leaves the shared parents.
            Assert.Equal(["etc", "etc/letsencrypt", "var", "var/lib"], left);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static Task<ScriptRun> Dpkg(string root, params string[] arguments) =>
        ScriptRun.RunAsync("dpkg", ["--root=" + root, "--force-script-chrootless", "--force-depends", "--force-not-root", .. arguments], null, TimeSpan.FromMinutes(2));

    private static UnixFileMode Mode(string symbolic)
    {
        var mode = UnixFileMode.None;
        UnixFileMode[] bits =
        [
            UnixFileMode.UserRead, UnixFileMode.UserWrite, UnixFileMode.UserExecute,
            UnixFileMode.GroupRead, UnixFileMode.GroupWrite, UnixFileMode.GroupExecute,
            UnixFileMode.OtherRead, UnixFileMode.OtherWrite, UnixFileMode.OtherExecute,
        ];
        for (var i = 0; i < 9; i++)
        {
            mode |= symbolic[i] == '-' ? UnixFileMode.None : bits[i];
        }

        return mode;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (?<level>\d+(\.\d+)?)")]
    private static partial Regex OverallExposure();

    [GeneratedRegex(@"(?m)^  (?<name>[a-z][a-z-]*)")]
    private static partial Regex HelpCommand();
}
