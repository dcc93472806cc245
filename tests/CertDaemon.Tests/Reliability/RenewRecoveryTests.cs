using CertDaemon.Storage;
using CertDaemon.Tests.Cli;
using CertDaemon.Tests.Storage;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// A forced renewal (the product's, in the crash harness) is SIGKILLed in the middle of its live switch, which leaves the
/// switch journal as a kill does; then a plain <c>certdaemon renew site</c> runs, with nothing due. It must run the
/// store's recovery itself (not wait for the daemon's next start): the switch is undone before its commit point and
/// finished after it, the journal is gone, and the live pair, the state and nginx agree. A state temporary file older
/// than a write can take (a kill between write and rename) is removed; a young one (another process's write in progress)
/// is left alone.
/// </summary>
public sealed class RenewRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Renew_of_a_certificate_not_due_finishes_or_undoes_the_switch_a_killed_renewal_left()
    {
        await using var bed = await CrashStepBed.StartAsync(CrashHarnessRunner.HarnessPath(), CliProcess.ExecutablePath);
        await FailureReport.WithLogsAsync(output, () => bed.Logs, async () =>
        {
            var certificates = Path.Combine(bed.StateDirectory, "certificates");
            var stale = Path.Combine(certificates, $".{CrashStepBed.Name}.json.certdaemon-tmp-0ld0ld0ld0ld");
            var young = Path.Combine(certificates, $".{CrashStepBed.Name}.json.certdaemon-tmp-y0ungy0ungy0");
            await File.WriteAllTextAsync(stale, "{");
            await File.WriteAllTextAsync(young, "{");
            File.SetLastWriteTimeUtc(stale, TimeProvider.System.GetUtcNow().UtcDateTime.AddHours(-1));

            // Before the commit point: the new version's archive files are written, live/site is still the old version.
            var undone = await bed.KillAtAsync("archive-written", NextStart.RenewNamed);
            output.WriteLine(undone.ToString());
            Assert.True(undone.Recovered, undone.ToString());
            Assert.False(undone.JournalLeft);
            Assert.True(undone.StoreRecovered, "renew did not log StoreRecovered: " + undone);
            Assert.Equal(undone.LiveBefore, undone.Live);
            Assert.Equal(ArchiveVersions(bed).Max(), LiveVersion(bed));
            Assert.False(File.Exists(stale), "the stale state temporary file is still there");
            Assert.True(File.Exists(young), "a young state temporary file (a write in progress) was removed");

            // After the commit point: live/site is the new version, the journal's tail steps are not done.
            var finished = await bed.KillAtAsync("live-renamed", NextStart.RenewNamed);
            output.WriteLine(finished.ToString());
            Assert.True(finished.Recovered, finished.ToString());
            Assert.False(finished.JournalLeft);
            Assert.True(finished.StoreRecovered, "renew did not log StoreRecovered: " + finished);
            Assert.Equal(finished.LiveBefore, finished.Live);
            Assert.NotEqual(undone.Live, finished.Live);
            Assert.Empty(StoreLayout.Leftovers(bed.CertificateDirectory));
        });
    }

    private static int? LiveVersion(CrashStepBed bed) =>
        new CertificateStore(bed.CertificateDirectory, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance).GetLiveVersion(CrashStepBed.Name);

    private static IEnumerable<int> ArchiveVersions(CrashStepBed bed) =>
        Directory.EnumerateFiles(Path.Combine(bed.CertificateDirectory, "archive", CrashStepBed.Name), "privkey*.pem")
            .Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["privkey".Length..], System.Globalization.CultureInfo.InvariantCulture));
}
