using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Storage;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Certbot;

/// <summary>
/// A lineage the real certbot created, taken over by CertDaemon on the same tree, with certbot still renewing it
/// behind CertDaemon's back (the forgotten certbot.timer), and certbot renewing it again afterwards (the way back).
/// One lineage, one story, so certbot runs twice in all.
/// </summary>
[Trait("Category", "Certbot")]
public sealed class CertbotCoexistenceTests(ITestOutputHelper output)
{
    private const string Name = "shared";
    private const string Domain = "shared.example.test";
    private const uint ReaderGroup = 54321; // throwaway ids: setpriv takes numbers, nothing is added to /etc/group
    private const uint ReaderUser = 54322;
    private const uint OutsiderGroup = 54323;
    private const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    [Fact]
    public async Task Certbot_lineage_keeps_its_reader_survives_a_renewal_behind_CertDaemon_s_back_and_certbot_can_still_renew()
    {
        await using var testbed = await CertbotTestbed.StartAsync();
        var hookLog = Path.Combine(testbed.Root, "hooks.log");
        var created = await testbed.CreateLineageAsync(Name, [Domain], "--deploy-hook", $"echo \"conf-deploy $RENEWED_LINEAGE\" >> {hookLog}");
        Assert.True(created.ExitCode == 0, created.ToString() + testbed.Logs);
        File.Delete(hookLog);
        WriteDirectoryHook(testbed, "pre", $"echo pre >> {hookLog}");
        WriteDirectoryHook(testbed, "deploy", $"echo \"deploy $RENEWED_LINEAGE $RENEWED_DOMAINS\" >> {hookLog}");
        WriteDirectoryHook(testbed, "post", $"echo post >> {hookLog}");

        // What an operator does so haproxy (group ssl-cert) reads the key: certbot keeps this on renewal.
        LinuxNative.ChangeGroup(testbed.Archive(Name, "privkey", 1), ReaderGroup);
        File.SetUnixFileMode(testbed.Archive(Name, "privkey", 1), Mode0640);
        foreach (var directory in new[] { "live", "archive" })
        {
            File.SetUnixFileMode(Path.Combine(testbed.CertbotDirectory, directory), (UnixFileMode)Convert.ToInt32("755", 8));
        }

        testbed.WriteConfiguration(new Dictionary<string, object?> { ["Name"] = Name, ["Domains"] = new[] { Domain }, ["KeyType"] = "ec256" });

        // Before CertDaemon's first issuance, status shows certbot's live certificate and plans from it.
        var before = await testbed.RunAsync("status");
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Contains(SerialOf(testbed.Archive(Name, "cert", 1)), before.Output, StringComparison.Ordinal);
        Assert.Contains("issued by:    certbot", before.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("none issued yet", before.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("missing", before.Output, StringComparison.Ordinal);

        for (var i = 0; i < 2; i++)
        {
            var renewed = await testbed.RunAsync("renew", Name, "--force");
            Assert.True(renewed.ExitCode == 0, renewed.ToString() + testbed.Logs);
            if (i == 0)
            {
                // certbot's hooks ran around CertDaemon's renewal, in certbot's order, with certbot's environment.
                var lineage = Path.Combine(testbed.CertbotDirectory, "live", Name);
                Assert.Equal(["pre", $"deploy {lineage} {Domain}", $"conf-deploy {lineage}", "post"], File.ReadAllLines(hookLog));
            }
        }

        // The newest key (version 3) kept the reader's group and group-read bit; a group member reads it through live/.
        var key = LinuxNative.GetOwnership(testbed.Archive(Name, "privkey", 3));
        Assert.Equal((ReaderGroup, Mode0640), (key.Group, key.Mode));
        Assert.Equal(File.ReadAllText(testbed.Archive(Name, "privkey", 3)), await ReadAsAsync(ReaderGroup, testbed.Live(Name, "privkey")));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => ReadAsAsync(OutsiderGroup, testbed.Live(Name, "privkey")));
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(Path.Combine(testbed.CertbotDirectory, "live")));

        // certbot.timer was never disabled: certbot renews through live/NAME (version 4).
        var behindOurBack = await testbed.RenewWithCertbotAsync(Name);
        Assert.True(behindOurBack.ExitCode == 0, behindOurBack.ToString());
        var certbotSerial = SerialOf(testbed.Archive(Name, "cert", 4));
        var certbotFiles = testbed.ArchiveSnapshot(Name).Where(f => f.Key.EndsWith("1.pem", StringComparison.Ordinal) || f.Key.EndsWith("4.pem", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, certbotFiles.Count);

        var noticed = await testbed.RunAsync("status");
        Assert.Contains(certbotSerial, noticed.Output, StringComparison.Ordinal);
        Assert.Contains("issued by:    certbot", noticed.Output, StringComparison.Ordinal);

        var next = await testbed.RunAsync("renew", Name, "--force");
        Assert.True(next.ExitCode == 0, next.ToString() + testbed.Logs);
        Assert.Contains("ForeignRenewalDetected", next.Error, StringComparison.Ordinal);
        Assert.Contains(certbotSerial, next.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(testbed.Archive(Name, "cert", 5)), "CertDaemon's renewal after certbot's version 4 is version 5");
        var after = testbed.ArchiveSnapshot(Name);
        foreach (var (file, bytes) in certbotFiles)
        {
            Assert.Equal(bytes, after[file]);
        }

        Assert.Equal(SerialOf(testbed.Archive(Name, "cert", 5)), SerialOf(testbed.Live(Name, "cert")));
        Assert.Equal((ReaderGroup, Mode0640), (LinuxNative.GetOwnership(testbed.Archive(Name, "privkey", 5)).Group, LinuxNative.GetOwnership(testbed.Archive(Name, "privkey", 5)).Mode));

        // The way back: certbot still renews the tree CertDaemon renewed.
        var back = await testbed.RenewWithCertbotAsync(Name);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal(SerialOf(testbed.Archive(Name, "cert", 6)), SerialOf(testbed.Live(Name, "cert")));
        output.WriteLine(next.Error);
    }

    private static void WriteDirectoryHook(CertbotTestbed testbed, string stage, string command)
    {
        var directory = Path.Combine(testbed.CertbotDirectory, "renewal-hooks", stage);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "50-record.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + command + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static string SerialOf(string path)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
        return certificate.SerialNumber.ToLowerInvariant();
    }

    /// <summary>Reads <paramref name="path"/> as an unprivileged user in <paramref name="group"/> (setpriv, no lasting change).</summary>
    private static async Task<string> ReadAsAsync(uint group, string path)
    {
        var psi = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { $"--reuid={ReaderUser}", $"--regid={ReaderUser}", $"--groups={group}", "--inh-caps=-all", "cat", path })
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new UnauthorizedAccessException($"group {group} cannot read {path}: {stderr}");
    }
}
