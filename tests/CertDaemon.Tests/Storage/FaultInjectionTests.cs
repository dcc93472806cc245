using CertDaemon.Storage;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// Every file-system step of a commit fails once ("No space left on device"), or the process "dies" there (every
/// later step fails too). Before the commit point: a clear error, the old files intact. After it: the new set is
/// live. Either way the next start's recovery leaves a consistent live set and no leftovers.
/// </summary>
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    private const string Name = "example.com";

    public enum Scenario
    {
        /// <summary>live/NAME is already CertDaemon's link.</summary>
        OwnLineage,

        /// <summary>live/NAME is certbot's directory; swapped with RENAME_EXCHANGE.</summary>
        CertbotExchange,

        /// <summary>live/NAME is certbot's directory; the file system cannot exchange, two renames.</summary>
        CertbotTwoRenames,
    }

    [Theory]
    [InlineData(Scenario.OwnLineage, false)]
    [InlineData(Scenario.CertbotExchange, false)]
    [InlineData(Scenario.CertbotTwoRenames, false)]
    [InlineData(Scenario.OwnLineage, true)]
    [InlineData(Scenario.CertbotExchange, true)]
    [InlineData(Scenario.CertbotTwoRenames, true)]
    public async Task Failure_at_every_step_of_a_commit_leaves_old_or_new_set_live(Scenario scenario, bool dieAtFailure)
    {
        using var ca = new TestCertificates();
        var exchangeUnsupported = scenario == Scenario.CertbotTwoRenames;

        // Dry run: how many steps does this commit take?
        List<string> steps;
        using (var dir = new StoreTestDirectory())
        {
            await SetupAsync(dir, ca, scenario);
            var counting = new FaultInjectingFileSystem { ExchangeUnsupported = exchangeUnsupported };
            await dir.Store(fileSystem: counting).CommitAsync(Name, ca.Issue(), CancellationToken.None);
            steps = counting.Steps;
        }

        var outcomes = new List<bool>();
        var missingWindows = new List<string>();
        for (var k = 0; k < steps.Count; k++)
        {
            using var dir = new StoreTestDirectory();
            var oldSerial = await SetupAsync(dir, ca, scenario);
            var before = LiveAndArchive(dir);
            var faulty = new FaultInjectingFileSystem { FailAt = k, DieAtFailure = dieAtFailure, ExchangeUnsupported = exchangeUnsupported };
            var material = ca.Issue();
            var newSerial = SerialOf(material);

            bool switched;
            try
            {
                await dir.Store(fileSystem: faulty).CommitAsync(Name, material, CancellationToken.None);
                switched = true;
            }
            catch (CertificateStoreException e)
            {
                switched = false;
                Assert.Contains("No space left on device", e.Message, StringComparison.Ordinal);
                Assert.Contains("unchanged", e.Message, StringComparison.Ordinal);
                Assert.IsType<IOException>(e.InnerException, exactMatch: false);
            }

            var where = $"step {k} ({faulty.FailedStep}), switched={switched}";
            // What a reader sees right after the failure (or crash), before any recovery.
            var livePath = Path.Combine(dir.Root, "live", Name);
            if (scenario == Scenario.CertbotTwoRenames && dieAtFailure && !Path.Exists(livePath) && new FileInfo(livePath).LinkTarget is null)
            {
                // The documented window of the two-rename fallback: live/NAME is briefly absent (readers get
                // "no such file"), never a mismatched pair. Recovery below puts certbot's directory back.
                missingWindows.Add(where);
            }
            else
            {
                Assert.True(StoreLayout.LiveSetProblem(dir.Root, Name) is null, $"{where}: {StoreLayout.LiveSetProblem(dir.Root, Name)}");
                Assert.Equal(switched ? newSerial : oldSerial, StoreLayout.LiveSerial(dir.Root, Name));
            }

            if (!switched && !dieAtFailure)
            {
                // The failed commit cleaned up after itself: old files byte for byte, nothing added.
                Assert.Equal(before, LiveAndArchive(dir));
            }

            var recovery = await dir.Store().RecoverAsync(CancellationToken.None);
            Assert.True(StoreLayout.LiveSetProblem(dir.Root, Name) is null, where);
            Assert.Equal(switched ? newSerial : oldSerial, StoreLayout.LiveSerial(dir.Root, Name));
            Assert.Empty(StoreLayout.Leftovers(dir.Root));
            if (!switched)
            {
                Assert.Equal(before, LiveAndArchive(dir));
            }

            output.WriteLine($"{where}: recovery {string.Join(",", recovery.Select(r => r.Outcome))}");
            outcomes.Add(switched);
        }

        // Failures before the commit point throw, failures after it do not: one boundary, and both sides exist.
        var boundary = outcomes.IndexOf(true);
        Assert.True(boundary > 0, "no step failed the commit");
        Assert.All(outcomes.Take(boundary), o => Assert.False(o));
        Assert.All(outcomes.Skip(boundary), o => Assert.True(o));
        Assert.Equal(scenario == Scenario.CertbotTwoRenames && dieAtFailure ? 1 : 0, missingWindows.Count);
        output.WriteLine($"{steps.Count} steps; commit point at step {boundary - 1}: {steps[boundary - 1]}");
    }

    [Fact]
    public async Task Atomic_file_failure_at_each_step_keeps_the_old_content()
    {
        using var dir = new StoreTestDirectory();
        var path = Path.Combine(dir.Root, "state.json");
        for (var k = 0; k < 3; k++)
        {
            await File.WriteAllTextAsync(path, "old");
            var faulty = new FaultInjectingFileSystem { FailAt = k };

            var error = await Assert.ThrowsAnyAsync<IOException>(() =>
                AtomicFile.WriteAsync(faulty, path, "new"u8.ToArray(), UnixFileMode.UserRead | UnixFileMode.UserWrite, CancellationToken.None));

            Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
            Assert.Equal(["state.json"], Directory.EnumerateFiles(dir.Root).Select(Path.GetFileName));
            // Steps: 0 write temp, 1 rename, 2 fsync directory (after the rename: new content, but not durable).
            Assert.Equal(k < 2 ? "old" : "new", await File.ReadAllTextAsync(path));
            if (k == 2)
            {
                Assert.IsType<FileNotDurableException>(error);
                Assert.Contains("was replaced, but making the replacement durable failed", error.Message, StringComparison.Ordinal);
            }
        }
    }

    private static async Task<string> SetupAsync(StoreTestDirectory dir, TestCertificates ca, Scenario scenario)
    {
        if (scenario == Scenario.OwnLineage)
        {
            return (await dir.Store().CommitAsync(Name, ca.Issue(), CancellationToken.None)).Serial;
        }

        dir.CreateCertbotLineage(Name, ca, count: 2);
        return StoreLayout.LiveSerial(dir.Root, Name);
    }

    private static string SerialOf(CertificateMaterial material)
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(material.CertificatePem);
        return certificate.SerialNumber.ToLowerInvariant();
    }

    private static SortedDictionary<string, string> LiveAndArchive(StoreTestDirectory dir)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var sub in new[] { "live", "archive" })
        {
            foreach (var (key, value) in StoreLayout.Snapshot(Path.Combine(dir.Root, sub)))
            {
                result[sub + "/" + key] = value;
            }
        }

        return result;
    }
}
