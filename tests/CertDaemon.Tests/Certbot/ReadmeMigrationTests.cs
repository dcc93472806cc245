using System.Security.Cryptography.X509Certificates;
using CertDaemon.Tests.Docs;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Certbot;

/// <summary>
/// The README's "Replacing a certbot + cron setup" steps, run as written through bash on a host whose lineage the real
/// certbot created: certdaemon commands verbatim; systemctl lines are not run (they change this machine's services:
/// the fake systemctl of CERTBOT_SCHEDULE_SYSTEMCTL stands in for --disable-certbot); certbot's own command gets the
/// testbed's --config-dir/--server appended (on a host it uses /etc/letsencrypt and the CA it was set up with).
/// </summary>
[Trait("Category", "Certbot")]
public sealed class ReadmeMigrationTests
{
    private const string Section = "Replacing a certbot + cron setup";
    private const string Name = "www.example.test";

    [Fact]
    public async Task The_readme_migration_runs_as_written_on_a_certbot_host_and_the_way_back_works()
    {
        var readme = ReadmeDocument.Load(Path.Combine(RepositoryRoot.Path, "README.md"));
        var commands = readme.Commands(s => s == Section).Select(c => c.Text).ToList();
        Assert.Contains("certdaemon import-certbot --write", commands);
        Assert.Contains("certbot renew --force-renewal", commands);

        await using var testbed = await CertbotTestbed.StartAsync();
        var created = await testbed.CreateLineageAsync(Name, [Name]);
        Assert.True(created.ExitCode == 0, created.ToString() + testbed.Logs);
        testbed.WriteConfiguration();
        var cron = Path.Combine(testbed.Root, "cron.d-certbot");
        File.WriteAllText(cron, "0 */12 * * * root certbot -q renew\n");
        var systemctl = Path.Combine(testbed.Root, "systemctl");
        File.WriteAllText(systemctl, "#!/bin/sh\necho inactive\nexit 3\n");
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>(testbed.Environment.ToDictionary(e => e.Key, e => e.Value ?? ""))
        {
            ["PATH"] = AppContext.BaseDirectory.TrimEnd('/') + ":" + (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"),
            ["CERTDAEMON_CONFIG"] = testbed.ConfigPath,
            ["CERTBOT_SCHEDULE_SYSTEMCTL"] = systemctl,
            ["CERTBOT_SCHEDULE_CRONTAB"] = "/nonexistent/crontab",
            ["CERTBOT_SCHEDULE_CRON_FILES"] = cron,
            ["REQUESTS_CA_BUNDLE"] = testbed.Pebble.TlsRootPemPath,
            ["CHALLTESTSRV"] = testbed.Pebble.ChallTestSrvUrl.ToString().TrimEnd('/'),
        };
        var certbotSerial = Serial(testbed.Live(Name, "cert"));

        foreach (var command in commands)
        {
            if (command.StartsWith("systemctl ", StringComparison.Ordinal))
            {
                continue;
            }

            var line = command.StartsWith("certbot ", StringComparison.Ordinal)
                ? $"{command} --no-random-sleep-on-renew --config-dir {testbed.CertbotDirectory} --work-dir {testbed.Root}/certbot-work --logs-dir {testbed.Root}/certbot-logs --non-interactive --server {testbed.Pebble.DirectoryUrl}"
                : command;
            var run = await ReadmeCommandTests.RunInBashAsync(line, environment, testbed.Root);
            var output = run.StandardOutput;
            Assert.True(run.ExitCode == 0, $"{line}\n{run}\n{testbed.Logs}");
            switch (command)
            {
                case "certdaemon import-certbot --write":
                    Assert.Contains(Name, File.ReadAllText(testbed.ConfigPath), StringComparison.Ordinal);
                    break;
                case "certdaemon status":
                    Assert.Contains(certbotSerial, output, StringComparison.Ordinal);
                    Assert.Contains("issued by:    certbot", output, StringComparison.Ordinal);
                    break;
                case "certdaemon renew --force":
                    Assert.Equal(Serial(testbed.Archive(Name, "cert", 2)), Serial(testbed.Live(Name, "cert")));
                    Assert.Equal(certbotSerial, Serial(testbed.Archive(Name, "cert", 1)));
                    break;
                case "certdaemon import-certbot --disable-certbot":
                    Assert.StartsWith("#certdaemon-disabled# ", File.ReadAllText(cron), StringComparison.Ordinal);
                    break;
                case "certbot renew --force-renewal":
                    Assert.Equal(Serial(testbed.Archive(Name, "cert", 3)), Serial(testbed.Live(Name, "cert")));
                    break;
                default:
                    break;
            }
        }
    }

    private static string Serial(string path)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        return certificate.SerialNumber.ToLowerInvariant();
    }
}
