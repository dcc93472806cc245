using Xunit.Abstractions;

namespace CertDaemon.Tests.Certbot;

/// <summary>
/// <c>delete --purge</c> of a lineage the real certbot created and CertDaemon adopted: only what CertDaemon wrote goes.
/// certbot's version files, its renewal configuration and its <c>live/NAME</c> directory stay as certbot left them, so
/// certbot still knows the lineage.
/// </summary>
[Trait("Category", "Certbot")]
public sealed class CertbotPurgeTests(ITestOutputHelper output)
{
    private const string Name = "adopted";
    private const string Domain = "adopted.example.test";

    [Fact]
    public async Task Purging_an_adopted_certbot_lineage_removes_only_certdaemon_s_versions_and_gives_certbot_its_lineage_back()
    {
        await using var testbed = await CertbotTestbed.StartAsync();
        var created = await testbed.CreateLineageAsync(Name, [Domain]);
        Assert.True(created.ExitCode == 0, created.ToString() + testbed.Logs);
        var certbotFiles = testbed.ArchiveSnapshot(Name);
        var renewalConf = Path.Combine(testbed.CertbotDirectory, "renewal", Name + ".conf");
        var conf = File.ReadAllText(renewalConf);
        testbed.WriteConfiguration();

        // Ad-hoc under certbot's lineage name: CertDaemon adopts it and writes version 2.
        var issued = await testbed.RunAsync("issue", "-d", Domain, "--name", Name);
        output.WriteLine(issued.ToString());
        Assert.True(issued.ExitCode == 0, issued.ToString() + testbed.Logs);
        Assert.True(File.Exists(testbed.Archive(Name, "cert", 2)));

        var purged = await testbed.RunAsync("delete", Name, "--purge");
        output.WriteLine(purged.ToString());
        Assert.Equal(0, purged.ExitCode);
        Assert.Contains("kept what certbot wrote", purged.Output, StringComparison.Ordinal);

        // certbot's version 1, byte for byte; CertDaemon's version 2 gone.
        Assert.Equal(certbotFiles, testbed.ArchiveSnapshot(Name));
        Assert.Equal(conf, File.ReadAllText(renewalConf));
        var live = Path.Combine(testbed.CertbotDirectory, "live", Name);
        Assert.Null(new DirectoryInfo(live).LinkTarget);
        foreach (var part in new[] { "cert", "chain", "fullchain", "privkey" })
        {
            Assert.Equal($"../../archive/{Name}/{part}1.pem", new FileInfo(testbed.Live(Name, part)).LinkTarget);
        }

        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(testbed.CertbotDirectory, "live"), "." + Name + ".*"));

        // certbot itself still sees a valid lineage.
        var certificates = await testbed.RunCertbotAsync(["certificates", "--cert-name", Name]);
        output.WriteLine(certificates.ToString());
        Assert.Equal(0, certificates.ExitCode);
        Assert.Contains($"Certificate Name: {Name}", certificates.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("INVALID", certificates.Output, StringComparison.Ordinal);
    }
}
