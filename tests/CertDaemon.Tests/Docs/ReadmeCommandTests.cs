using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CertDaemon.Configuration;
using CertDaemon.Tests.Deploy;
using CertDaemon.Tests.Deployment;
using CertDaemon.Tests.Testbed;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Docs;

/// <summary>
/// The README cannot drift from the program: every command of its quick start and EC2 walkthrough either runs here,
/// verbatim through bash, against a local CA, Route53 emulator and nginx with the README's own configuration - or is
/// listed below with the reason it cannot. Every name of the operator contract appears in it.
/// </summary>
public sealed partial class ReadmeCommandTests(ITestOutputHelper output)
{
    /// <summary>README commands that cannot run on a test machine, and why. Each entry must still match a README command.</summary>
    private static readonly (Regex Pattern, string Reason)[] NotRunHere =
    [
        (Command(@"bash scripts/sandbox\.sh"), "run by SandboxCommandTests, exactly as written"),
        (Command(@"bash scripts/test\.sh"), "this test suite itself (.ci/run calls it: checked below)"),
        (Command(@"apt-get .*"), "installs system packages; scripts/test.sh installs what the tests need"),
        (Command(@"dnf .*"), "installs system packages on Amazon Linux; the packages themselves are built and checked by eng/package.sh"),
        (Command(@"deploy/install\.sh"), "installs into /usr/local and systemd; InstallScriptTests runs it with --destdir"),
        (Command(@"aws .*"), "needs an AWS account and administrator credentials (Route53/IAM/EC2 wire formats are tested against moto)"),
        (Command(@"systemctl .*"), "needs systemd as PID 1 and changes this machine's services"),
        (Command(@"journalctl .*"), "needs the journal of a running certdaemon unit; the CLEF lines it filters are tested in Logging/"),
    ];

    [Fact]
    public void The_readme_starts_with_the_sandbox_and_test_commands_and_ci_runs_exactly_the_test_command()
    {
        var readme = Readme();
        var top = readme.Commands(section => section.Length == 0).Select(c => c.Text).ToList();
        Assert.Equal(["bash scripts/sandbox.sh", "bash scripts/test.sh"], top);

        var ci = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, ".ci", "run"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(["bash scripts/test.sh"], ci);
    }

    [Fact]
    public async Task Every_quick_start_and_ec2_command_runs_here_as_written_or_is_listed_with_the_reason()
    {
        var readme = Readme();
        var commands = readme.Commands(s => s.Length == 0 || s == "Quick start" || s.StartsWith("Install on EC2", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Section.StartsWith("Install on EC2", StringComparison.Ordinal));

        var runnable = new List<ReadmeCommand>();
        var usedReasons = new HashSet<Regex>();
        foreach (var command in commands)
        {
            var skip = NotRunHere.FirstOrDefault(n => n.Pattern.IsMatch(command.Text));
            if (skip.Pattern is not null)
            {
                usedReasons.Add(skip.Pattern);
                output.WriteLine($"not run here: {command} - {skip.Reason}");
            }
            else
            {
                runnable.Add(command);
            }
        }

        // A stale entry would hide a command that changed: each reason must still apply to some README command.
        Assert.All(NotRunHere, n => Assert.True(usedReasons.Contains(n.Pattern), $"no README command matches the not-run-here entry {n.Pattern}"));
        Assert.True(runnable.Count >= 5, "the walkthrough should have certdaemon commands to run: " + string.Join("\n", runnable));
        Assert.All(runnable, c => Assert.StartsWith("certdaemon ", c.Text));

        var configuration = readme.Blocks.Single(b => b.IsTestConfiguration);
        Assert.Equal("json", configuration.Language);
        await using var testbed = await ReadmeTestbed.StartAsync(JsonNode.Parse(configuration.Body)!.AsObject());
        var work = Path.Combine(testbed.Root, "cwd");
        Directory.CreateDirectory(work);
        await FailureReport.WithLogsAsync(output, () => testbed.Logs, async () =>
        {
            foreach (var command in runnable)
            {
                var run = await RunInBashAsync(command.Text, testbed.Environment, work);
                output.WriteLine($"$ {command.Text}\n{run}");
                Assert.True(run.ExitCode == 0, $"{command} exited with {run.ExitCode}:\n{run}");
                await CheckEffectAsync(command.Text, run, testbed, work);
            }
        });

        // The walkthrough issued the certificate: nginx serves what is live, and certbot's version 1 stayed as it was.
        var live = LiveSerial(testbed);
        Assert.Equal(live, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, "www." + ZoneOf(testbed), live));
        Assert.True(File.Exists(Path.Combine(testbed.CertificateDirectory, "archive", testbed.CertificateName, "cert1.pem")));
    }

    [Fact]
    public void Every_contract_command_configuration_key_log_event_and_exit_code_is_in_the_readme()
    {
        var text = Readme().Text;
        string[] contract =
        [
            // commands and options
            "certdaemon run", "certdaemon issue NAME", "certdaemon issue -d example.com -d '*.example.com' [--name N] [--key-type ec256]",
            "certdaemon renew [NAME...] [--force] [--dry-run]", "certdaemon status [--json]", "certdaemon revoke NAME [--reason keyCompromise",
            "certdaemon delete NAME", "--purge", "certdaemon config check", "certdaemon iam-policy", "--config PATH", "$CERTDAEMON_CONFIG",
            "/etc/certdaemon/certdaemon.json", "CERTDAEMON_Section__Key",
            // exit codes
            "| 0 |", "| 1 |", "| 2 |", "| 78 |",
            // configuration keys named by the contract
            "`Acme.DirectoryUrl`", "`Acme.Email`", "`Acme.AcceptTermsOfService`", "`Acme.Profile`", "`Acme.ExternalAccountBinding.KeyId`",
            "`Acme.ExternalAccountBinding.HmacKey`", "`Acme.TrustedCaFile`", "`StateDirectory`", "`CertificateDirectory`", "`Route53.HostedZoneId`",
            "`Route53.RoleArn`", "`Route53.PropagationTimeout`", "`Dns.Nameservers`", "`Nginx.Enabled`", "`Nginx.TestCommand`", "`Nginx.ReloadCommand`",
            "`Nginx.VerifyAddress`", "`Certificates[].Name`", "`Certificates[].Domains`", "`Certificates[].KeyType`", "`Certificates[].Nginx`",
            "`Certificates[].Acm.Regions`", "`Certificates[].Acm.Tags`", "`Certificates[].Route53.HostedZoneId`", "`Certificates[].Route53.RoleArn`",
            "`Certificates[].Profile`", "`ec256`", "`ec384`", "`rsa2048`", "`rsa3072`", "`rsa4096`",
            "AWS_ENDPOINT_URL`", "AWS_ENDPOINT_URL_ROUTE_53", "AWS_ENDPOINT_URL_ACM", "AWS_ENDPOINT_URL_S3", "certdaemon sync", "`Fleet.Bucket`",
            "FleetCertificateInstalled {CertificateName, Serial, Version}", "certdaemon-sync.service",
            // log events
            "CertificateIssued {CertificateName,", "RenewalPlanned {CertificateName, RenewAt, Reason}", "RenewalFailed {CertificateName,",
            "ChallengeRecordsPublished {Zone, ChangeId, Names}", "NginxReloaded {CertificateName, Serial}", "ServedCertificateMismatch {CertificateName, Expected, Served}",
            "AcmImported {CertificateName, Region, Arn,", "ConfigurationInvalid {Problems}", "DeploymentFailed {CertificateName, Target, Serial, Error}",
            "certdaemon status NAME [--json]", "certdaemon status --check", "certdaemon metrics", "`Metrics.TextfilePath`", "`Metrics.ListenAddress`",
            "`Notifications.WebhookUrl`", "`Notifications.Command`", "`Notifications.On`",
            // files
            "/etc/letsencrypt/live/NAME/{cert,chain,fullchain,privkey}.pem", "/etc/letsencrypt/archive/NAME/{cert,chain,fullchain,privkey}N.pem", "0600", "0700",
            "deploy/systemd", "certdaemon.service", "2.5",
        ];
        var missing = contract.Where(c => !text.Contains(c, StringComparison.Ordinal)).ToList();

        // Every key the program binds, not only the contract's: a new option must be documented with its default.
        missing.AddRange(ConfigurationKeys(typeof(CertDaemonOptions), "").Select(k => $"`{k}`").Where(k => !text.Contains("| " + k + " |", StringComparison.Ordinal)));
        Assert.True(missing.Count == 0, "README.md lacks:\n" + string.Join("\n", missing));
    }

    /// <summary>What each runnable command must have done, beyond exiting 0.</summary>
    private static async Task CheckEffectAsync(string command, ScriptRun run, ReadmeTestbed testbed, string work)
    {
        switch (command)
        {
            case "certdaemon config check":
                Assert.Contains("configuration is valid", run.StandardOutput, StringComparison.Ordinal);
                break;
            case "certdaemon iam-policy > certdaemon-policy.json":
                using (var policy = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(work, "certdaemon-policy.json"))))
                {
                    // The README configures a HostedZoneId: the policy is narrowed to that one zone.
                    Assert.Contains(policy.RootElement.GetProperty("Statement").EnumerateArray(),
                        s => s.GetProperty("Resource").ToString().Contains("arn:aws:route53:::hostedzone/" + testbed.ZoneId, StringComparison.Ordinal));
                }

                break;
            case var issue when issue.StartsWith("certdaemon issue ", StringComparison.Ordinal):
                var serial = LiveSerial(testbed);
                Assert.Contains(serial, run.StandardOutput, StringComparison.Ordinal);
                Assert.Equal(serial, await TlsHandshake.EventuallyServedSerialAsync(testbed.Nginx.Port, ZoneOf(testbed), serial));
                break;
            case "certdaemon status":
                Assert.Contains(testbed.CertificateName, run.StandardOutput, StringComparison.Ordinal);
                break;
            case var json when json.StartsWith("certdaemon status --json", StringComparison.Ordinal):
                Assert.Contains(testbed.CertificateName + "\t", run.StandardOutput, StringComparison.Ordinal);
                break;
            default:
                Assert.Fail($"the README command '{command}' ran, but this test does not know what it should have done: add a check");
                break;
        }
    }

    /// <summary>Runs one README command line through <c>bash -o pipefail -c</c> with only <paramref name="environment"/>'s AWS_/CERTDAEMON_ variables.</summary>
    internal static async Task<ScriptRun> RunInBashAsync(string command, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("CERTDAEMON_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ScriptRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Every bindable key, as the README's reference table writes it: <c>Acme.DirectoryUrl</c>, <c>Certificates[].Acm.Regions</c>.</summary>
    private static IEnumerable<string> ConfigurationKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
        {
            var path = prefix + property.Name;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var element = propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? propertyType.GetGenericArguments()[0] : null;
            if (IsOptionsRecord(propertyType))
            {
                foreach (var key in ConfigurationKeys(propertyType, path + "."))
                {
                    yield return key;
                }
            }
            else if (element is not null && IsOptionsRecord(element))
            {
                foreach (var key in ConfigurationKeys(element, path + "[]."))
                {
                    yield return key;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    private static bool IsOptionsRecord(Type type) => type.IsClass && type.Namespace == typeof(CertDaemonOptions).Namespace && type != typeof(string);

    private static string LiveSerial(ReadmeTestbed testbed)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(testbed.CertificateDirectory, "live", testbed.CertificateName, "cert.pem")));
        return certificate.SerialNumber.ToLowerInvariant();
    }

    private static string ZoneOf(ReadmeTestbed testbed) =>
        JsonNode.Parse(File.ReadAllText(testbed.ConfigPath))!["Certificates"]![0]!["Domains"]!.AsArray().Select(d => d!.GetValue<string>()).First(d => !d.StartsWith('*'));

    private static ReadmeDocument Readme() => ReadmeDocument.Load(Path.Combine(RepositoryRoot.Path, "README.md"));

    private static Regex Command(string pattern) => new("^" + pattern + "$", RegexOptions.CultureInvariant);
}
