using System.Diagnostics;
using CertDaemon.Storage;

namespace CertDaemon.Tests.Storage;

/// <summary>
/// A held lock and a lock file that cannot be opened are different answers: the first is contention (wait, then
/// <see cref="LockHeldException"/>), the second a failure named as such at once, never "locked by another process".
/// </summary>
public sealed class LineageLockTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("certdaemon-lock-").FullName;

    [Fact]
    public async Task A_lock_held_by_another_holder_is_contention()
    {
        var path = Path.Combine(_directory, "site.lock");
        using var held = await LineageLock.AcquireAsync("site", path, TimeSpan.Zero, TimeProvider.System, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<LockHeldException>(
            () => LineageLock.AcquireAsync("site", path, TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None));
        Assert.Contains("locked by another CertDaemon process", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lock_file_that_cannot_be_opened_is_a_failure_at_once_not_contention()
    {
        var path = Path.Combine(_directory, "missing-directory", "site.lock");
        var stopwatch = Stopwatch.StartNew();

        var failed = await Assert.ThrowsAsync<CertificateStoreException>(
            () => LineageLock.AcquireAsync("site", path, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None));

        Assert.IsNotType<LockHeldException>(failed);
        Assert.Contains($"The lock file {path} of 'site' could not be opened", failed.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), "it waited for a lock nobody holds");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
