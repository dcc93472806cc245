using CertDaemon.Dns;
using CertDaemon.Hosting;
using CertDaemon.Storage;

namespace CertDaemon.Tests.Hosting;

/// <summary>
/// Certificate locks are <c>locks/NAME.lock</c>; the daemon's own lock and the zone-write locks live in the same
/// directory. A certificate whose name equals one of theirs must not share its lock: a certificate named
/// <c>daemon</c> could never renew while the daemon ran, and a renew of it would make <c>run</c> say another daemon runs.
/// </summary>
public sealed class LockFileNamesTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("certdaemon-lock-names-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Certificates_named_like_the_daemon_or_zone_locks_take_their_own_lock_while_those_are_held()
    {
        using var daemon = await DaemonInstanceLock.AcquireAsync(_state, TimeProvider.System, CancellationToken.None);
        using var zone = await new ZoneWriteLocks(_state).AcquireAsync("Z1ABC", TimeProvider.System, CancellationToken.None);
        var certificates = new LocalCertificateLock(_state, TimeSpan.Zero, TimeProvider.System);

        foreach (var name in new[] { "daemon", "route53-zone-Z1ABC", "dns-journal" })
        {
            // Timeout zero: a shared lock file would fail at once with "another run holds it".
            using var held = await certificates.AcquireAsync(name, CancellationToken.None);
            // Asserted by path too: the journal's lock is not held here, so acquiring alone would not catch a clash.
            Assert.DoesNotContain(held.LivenessPath, new[]
            {
                DaemonInstanceLock.LockPath(_state), Path.Combine(_state, "locks", ".dns-journal.lock"), Path.Combine(_state, "locks", ".route53-zone-Z1ABC.lock"),
            });
        }
    }
}
