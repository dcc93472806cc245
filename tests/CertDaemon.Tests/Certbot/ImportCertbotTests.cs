using System.Text.Json;
using CertDaemon.Certbot;

namespace CertDaemon.Tests.Certbot;

/// <summary>
/// <c>import-certbot</c> on lineages the real certbot created: one name (ECDSA, with a deploy hook), apex + wildcard
/// (RSA), several names whose renewal configuration says webroot (created with the manual authenticator, then only its
/// <c>authenticator</c> line changed to <c>webroot</c>: certbot's webroot plugin needs port 80, which the test cannot
/// give pebble).
/// </summary>
[Trait("Category", "Certbot")]
public sealed class ImportCertbotTests
{
    [Fact]
    public async Task Certbot_lineages_become_a_configuration_config_check_accepts_and_a_second_write_changes_nothing()
    {
        await using var testbed = await CertbotTestbed.StartAsync();
        // One after another: certbot locks its configuration directory.
        var runs = new[]
        {
            await testbed.CreateLineageAsync("single.example.test", ["single.example.test"], "--deploy-hook", "echo reload-haproxy"),
            await testbed.CreateLineageAsync("wild", ["wild.example.test", "*.wild.example.test"], "--key-type", "rsa", "--rsa-key-size", "3072"),
            await testbed.CreateLineageAsync("multi", ["a.example.test", "b.example.test", "c.example.test"]),
        };
        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString() + testbed.Logs));
        var multiConf = Path.Combine(testbed.CertbotDirectory, "renewal", "multi.conf");
        File.WriteAllText(multiConf, File.ReadAllText(multiConf).Replace("authenticator = manual", "authenticator = webroot", StringComparison.Ordinal));
        testbed.WriteConfiguration();

        var shown = await testbed.RunAsync("import-certbot");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains("single.example.test: to add", shown.Output, StringComparison.Ordinal);
        Assert.Contains("key type: rsa3072", shown.Output, StringComparison.Ordinal);
        Assert.Contains("domains:  wild.example.test, *.wild.example.test", shown.Output, StringComparison.Ordinal);
        Assert.Contains("(webroot); CertDaemon uses DNS-01 through Route53 instead", shown.Output, StringComparison.Ordinal);
        Assert.Contains("renew_hook): CertDaemon runs it around each renewal", shown.Output, StringComparison.Ordinal);
        Assert.Contains("Run again with --write", shown.Output, StringComparison.Ordinal);
        Assert.Equal(0, Certificates(testbed).GetArrayLength());

        var written = await testbed.RunAsync("import-certbot", "--write");
        Assert.True(written.ExitCode == 0, written.ToString());
        Assert.True(File.Exists(testbed.ConfigPath + ".before-import-certbot"));
        var certificates = Certificates(testbed);
        Assert.Equal(["multi", "single.example.test", "wild"], certificates.EnumerateArray().Select(c => c.GetProperty("Name").GetString()).Order());
        var multi = certificates.EnumerateArray().Single(c => c.GetProperty("Name").GetString() == "multi");
        Assert.Equal(["a.example.test", "b.example.test", "c.example.test"], multi.GetProperty("Domains").EnumerateArray().Select(d => d.GetString()).Order());
        Assert.Equal("ec256", multi.GetProperty("KeyType").GetString());

        var check = await testbed.RunAsync("config", "check");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("certificates: 3", check.Output, StringComparison.Ordinal);

        var bytes = File.ReadAllBytes(testbed.ConfigPath);
        var again = await testbed.RunAsync("import-certbot", "--write");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("nothing changed", again.Output, StringComparison.Ordinal);
        Assert.Contains("already configured", again.Output, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(testbed.ConfigPath));
        Assert.Single(Directory.EnumerateFiles(testbed.Root, "certdaemon.json.before-import-certbot*"));
    }

    [Fact]
    public async Task Disable_certbot_comments_out_its_cron_lines_stops_its_timer_once_and_is_idempotent()
    {
        var root = Path.Combine(Path.GetTempPath(), "certdaemon-disable-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            // A systemctl and a crontab that only record what they are asked (the machine's own are never touched).
            var calls = Path.Combine(root, "calls.log");
            var timerState = Path.Combine(root, "timer");
            File.WriteAllText(timerState, "active enabled");
            var systemctl = Script(root, "systemctl", $$"""
                echo "systemctl $*" >> {{calls}}
                state=$(cat {{timerState}})
                case "$1" in
                  is-active) case "$state" in active*) echo active;; *) echo inactive; exit 3;; esac;;
                  is-enabled) case "$state" in *enabled) echo enabled;; *) echo disabled; exit 1;; esac;;
                  stop) echo "inactive ${state#* }" > {{timerState}};;
                  disable) echo "${state% *} disabled" > {{timerState}};;
                esac
                """);
            var rootCrontab = Path.Combine(root, "root.crontab");
            File.WriteAllText(rootCrontab, "MAILTO=ops\n17 3 * * * certbot renew --quiet\n30 4 * * * /usr/local/bin/backup\n");
            var crontab = Script(root, "crontab", $$"""
                echo "crontab $*" >> {{calls}}
                if [ "$1" = "-l" ]; then cat {{rootCrontab}}; else cp "$3" {{rootCrontab}}; fi
                """);
            var cronD = Path.Combine(root, "cron.d-certbot");
            File.WriteAllText(cronD, "SHELL=/bin/sh\n0 */12 * * * root test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew\n");
            var etcCrontab = Path.Combine(root, "etc-crontab");
            File.WriteAllText(etcCrontab, "17 * * * * root cd / && run-parts --report /etc/cron.hourly\n");
            var environment = new Dictionary<string, string?>
            {
                ["CERTBOT_SCHEDULE_SYSTEMCTL"] = systemctl,
                ["CERTBOT_SCHEDULE_CRONTAB"] = crontab,
                ["CERTBOT_SCHEDULE_CRON_FILES"] = etcCrontab + ":" + cronD,
            };
            var disabler = new CertbotScheduleDisabler(CertbotScheduleLocations.FromEnvironment(environment), new CertDaemon.Processes.CommandRunner(TimeProvider.System));

            var first = await disabler.DisableAsync(CancellationToken.None);

            Assert.Contains("certbot.timer: stopped (undo: systemctl start certbot.timer)", first);
            Assert.Contains("certbot.timer: disabled (undo: systemctl enable certbot.timer)", first);
            Assert.Contains(first, l => l.StartsWith(cronD + ": commented out: 0 */12", StringComparison.Ordinal));
            Assert.True(first.Any(l => l.StartsWith("root's crontab: commented out: 17 3 * * * certbot renew", StringComparison.Ordinal)), string.Join("\n", first));
            Assert.Equal("SHELL=/bin/sh\n#certdaemon-disabled# 0 */12 * * * root test -x /usr/bin/certbot -a \\! -d /run/systemd/system && perl -e 'sleep int(rand(43200))' && certbot -q renew\n", File.ReadAllText(cronD));
            Assert.Equal("MAILTO=ops\n#certdaemon-disabled# 17 3 * * * certbot renew --quiet\n30 4 * * * /usr/local/bin/backup\n", File.ReadAllText(rootCrontab));
            Assert.Equal("17 * * * * root cd / && run-parts --report /etc/cron.hourly\n", File.ReadAllText(etcCrontab));

            var cronBytes = File.ReadAllBytes(cronD);
            var second = await disabler.DisableAsync(CancellationToken.None);

            Assert.Contains(second, l => l.StartsWith("certbot.timer: not active and not enabled", StringComparison.Ordinal));
            Assert.Contains(cronD + ": no active certbot line; nothing changed", second);
            Assert.Contains("root's crontab: no active certbot line; nothing changed", second);
            Assert.Equal(cronBytes, File.ReadAllBytes(cronD));
            Assert.Equal(1, File.ReadAllLines(calls).Count(l => l == "systemctl stop certbot.timer"));
            Assert.Equal(1, File.ReadAllLines(calls).Count(l => l.StartsWith("crontab -u root ", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static JsonElement Certificates(CertbotTestbed testbed)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(testbed.ConfigPath));
        return document.RootElement.GetProperty("Certificates").Clone();
    }

    private static string Script(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
