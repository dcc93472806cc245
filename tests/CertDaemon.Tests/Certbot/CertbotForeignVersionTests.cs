using System.Security.Cryptography.X509Certificates;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Certbot;

/// <summary>
/// The two ways certbot's versions end up in an adopted lineage without being what CertDaemon last made live: a
/// complete certbot version in <c>archive/</c> that <c>live/NAME</c> does not point at (rolled back by hand), and a
/// certbot renewal through <c>live/NAME</c> while CertDaemon's own deployment is between its switch and its nginx test.
/// certbot (Debian's package, against pebble) creates and renews every lineage here.
/// </summary>
[Trait("Category", "Certbot")]
public sealed class CertbotForeignVersionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_newer_complete_certbot_version_that_is_not_live_becomes_current_and_live_while_partial_sets_are_ignored()
    {
        const string name = "rolled";
        await using var testbed = await CertbotTestbed.StartAsync();
        var created = await testbed.CreateLineageAsync(name, ["rolled.example.test"]);
        Assert.True(created.ExitCode == 0, created.ToString() + testbed.Logs);
        testbed.WriteConfiguration(new Dictionary<string, object?> { ["Name"] = name, ["Domains"] = new[] { "rolled.example.test" }, ["KeyType"] = "ec256" });

        var ours = await testbed.RunAsync("renew", name, "--force");
        Assert.True(ours.ExitCode == 0, ours.ToString() + testbed.Logs);
        var ourSerial = SerialOf(testbed.Archive(name, "cert", 2));

        // certbot renews through live/NAME (version 3), then someone points the live links back at version 2.
        var certbot = await testbed.RenewWithCertbotAsync(name);
        Assert.True(certbot.ExitCode == 0, certbot.ToString());
        var certbotSerial = SerialOf(testbed.Archive(name, "cert", 3));
        testbed.PointLiveLinksAt(name, 2);
        Assert.Equal(ourSerial, SerialOf(testbed.Live(name, "cert")));

        // Two sets that must never be taken: version 4 pairs certbot's certificate with another version's key,
        // version 5 is a certificate alone (a copy interrupted half-way).
        foreach (var part in new[] { "cert", "chain", "fullchain" })
        {
            File.Copy(testbed.Archive(name, part, 3), testbed.Archive(name, part, 4));
        }

        File.Copy(testbed.Archive(name, "privkey", 2), testbed.Archive(name, "privkey", 4));
        File.Copy(testbed.Archive(name, "cert", 3), testbed.Archive(name, "cert", 5));
        var foreignFiles = testbed.ArchiveSnapshot(name).Where(f => !f.Key.EndsWith("2.pem", StringComparison.Ordinal)).ToList();

        var status = await testbed.RunAsync("status", name);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains(certbotSerial, status.Output, StringComparison.Ordinal);
        Assert.Contains("issued by:    certbot", status.Output, StringComparison.Ordinal);

        var check = await testbed.RunAsync("renew", name);
        Assert.True(check.ExitCode == 0, check.ToString() + testbed.Logs);
        output.WriteLine(check.Error);
        Assert.Contains("ForeignRenewalDetected", check.Error, StringComparison.Ordinal);
        Assert.Contains(certbotSerial, check.Error, StringComparison.Ordinal);
        Assert.Contains("ForeignVersionIgnored", check.Error, StringComparison.Ordinal);
        Assert.Equal(certbotSerial, SerialOf(testbed.Live(name, "cert")));
        Assert.Equal(certbotSerial, SerialOf(testbed.Live(name, "fullchain")));

        // The next renewal continues above every number present, partial ones included; nothing foreign changed.
        var next = await testbed.RunAsync("renew", name, "--force");
        Assert.True(next.ExitCode == 0, next.ToString() + testbed.Logs);
        Assert.True(File.Exists(testbed.Archive(name, "cert", 6)), "CertDaemon's renewal after certbot's version 3 and the partial 4 and 5 is version 6");
        Assert.Equal(SerialOf(testbed.Archive(name, "cert", 6)), SerialOf(testbed.Live(name, "cert")));
        var after = testbed.ArchiveSnapshot(name);
        foreach (var (file, bytes) in foreignFiles)
        {
            Assert.Equal(bytes, after[file]);
        }
    }

    [Fact]
    public async Task Certbot_renewing_while_CertDaemon_s_nginx_test_fails_keeps_certbot_s_version_live_and_current()
    {
        const string name = "raced";
        await using var testbed = await CertbotTestbed.StartAsync();
        var created = await testbed.CreateLineageAsync(name, ["raced.example.test"]);
        Assert.True(created.ExitCode == 0, created.ToString() + testbed.Logs);

        // The nginx test CertDaemon runs after its switch: the first time, certbot.timer fires meanwhile (a real
        // certbot renew through live/NAME) and the test fails; afterwards the configuration is fine again.
        var marker = Path.Combine(testbed.Root, "certbot-raced");
        var reloads = Path.Combine(testbed.Root, "reloads.log");
        var script = Path.Combine(testbed.Root, "nginx-test.sh");
        File.WriteAllText(script, $"""
            #!/bin/sh
            if [ ! -e '{marker}' ]; then
              touch '{marker}'
              {testbed.CertbotShellCommand(["renew", "--cert-name", name, "--force-renewal", "--no-random-sleep-on-renew"])} >'{marker}' 2>&1
              echo "nginx: [emerg] cannot load certificate" >&2
              exit 1
            fi
            exit 0
            """.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        testbed.Nginx = new Dictionary<string, object?>
        {
            ["TestCommand"] = new[] { script },
            ["ReloadCommand"] = new[] { "sh", "-c", $"echo reload >> '{reloads}'" },
            ["VerifyAddress"] = null,
            ["CommandTimeout"] = "00:03:00",
        };
        testbed.WriteConfiguration(new Dictionary<string, object?> { ["Name"] = name, ["Domains"] = new[] { "raced.example.test" }, ["KeyType"] = "ec256" });

        var renewed = await testbed.RunAsync("renew", name, "--force");
        output.WriteLine(renewed.ToString());
        output.WriteLine(File.ReadAllText(marker));
        Assert.True(File.Exists(testbed.Archive(name, "cert", 3)), "certbot renewed during the nginx test: " + File.ReadAllText(marker));
        var ourSerial = SerialOf(testbed.Archive(name, "cert", 2));
        var certbotSerial = SerialOf(testbed.Archive(name, "cert", 3));
        var certbotFiles = testbed.ArchiveSnapshot(name).Where(f => f.Key.EndsWith("3.pem", StringComparison.Ordinal)).ToList();

        // Our deployment failed and says so; certbot's newer version stays live and is what CertDaemon now plans from.
        Assert.Equal(1, renewed.ExitCode);
        Assert.Contains("DeploymentFailed", renewed.Error, StringComparison.Ordinal);
        Assert.Contains(ourSerial, renewed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot be rebuilt", renewed.Output + renewed.Error, StringComparison.Ordinal);
        Assert.Contains("left live", renewed.Output + renewed.Error, StringComparison.Ordinal);
        Assert.Contains("ForeignRenewalDetected", renewed.Error, StringComparison.Ordinal);
        Assert.Equal(certbotSerial, SerialOf(testbed.Live(name, "cert")));
        Assert.False(File.Exists(reloads), "nginx is never reloaded after a failed configuration test");

        // The next check deploys certbot's version (the configuration test passes again) and reloads nginx once.
        var next = await testbed.RunAsync("renew", name);
        output.WriteLine(next.ToString());
        Assert.True(next.ExitCode == 0, next.ToString() + testbed.Logs);
        Assert.Equal(["reload"], File.ReadAllLines(reloads));
        Assert.Equal(certbotSerial, SerialOf(testbed.Live(name, "cert")));
        var status = await testbed.RunAsync("status", name, "--json");
        Assert.Contains(certbotSerial, status.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ourSerial, status.Output, StringComparison.Ordinal);
        var after = testbed.ArchiveSnapshot(name);
        foreach (var (file, bytes) in certbotFiles)
        {
            Assert.Equal(bytes, after[file]);
        }
    }

    private static string SerialOf(string path)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        return certificate.SerialNumber.ToLowerInvariant();
    }
}
