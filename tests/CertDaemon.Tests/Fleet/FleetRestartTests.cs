using CertDaemon.Configuration;
using CertDaemon.Dns;
using CertDaemon.Fleet;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Fleet;

/// <summary>
/// A restarted process (new holder id, same state directory) takes its dead predecessor's lease at once instead of
/// waiting for it to expire; a live process of the same state directory, and any other instance, still wait.
/// </summary>
public sealed class FleetRestartTests : IDisposable
{
    private static readonly FleetOptions Options = new() { Bucket = "fleet", LeaseDuration = TimeSpan.FromMinutes(10) };
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("certdaemon-fleet-restart-");
    private readonly AtomicMemoryObjectStore _store = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch + TimeSpan.FromDays(20000));

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task A_restarted_process_takes_over_its_dead_predecessors_lease_at_once_and_inherits_its_journal()
    {
        var state = Path.Combine(_root.FullName, "a");
        var before = Leases(FleetInstance.ForStateDirectory(state), out _);
        var held = Assert.IsType<FleetLeaseAttempt.Acquired>(await before.TryAcquireAsync("site", "renewal", CancellationToken.None)).Lease;
        await held.RecordChallengesAsync([Record("left-behind")], CancellationToken.None);
        await DieHoldingAsync(held);

        // A different instance waits for expiry as before.
        var other = Leases(FleetInstance.ForStateDirectory(Path.Combine(_root.FullName, "b")), out _);
        Assert.IsType<FleetLeaseAttempt.Busy>(await other.TryAcquireAsync("site", "renewal", CancellationToken.None));

        var after = Leases(FleetInstance.ForStateDirectory(state), out var log);
        Assert.NotEqual(before.Instance.Id, after.Instance.Id);
        var taken = Assert.IsType<FleetLeaseAttempt.Acquired>(await after.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Equal(held.Holder, taken.Abandoned!.Holder);
        Assert.Equal("left-behind", Assert.Single(taken.Lease.Challenges).Value);
        Assert.Contains(log.Entries, e => e.EventId.Name == "FleetLeaseReclaimed");

        // Now the restarted process's lease: the other instance still waits, and the holder keeps it.
        Assert.IsType<FleetLeaseAttempt.Busy>(await other.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.False(taken.Lease.Lost.IsCancellationRequested);
        await taken.Lease.DisposeAsync();
    }

    [Fact]
    public async Task Two_live_processes_on_one_state_directory_never_both_hold_the_lease()
    {
        var state = Path.Combine(_root.FullName, "a");
        var daemon = Leases(FleetInstance.ForStateDirectory(state), out _);
        var cli = Leases(FleetInstance.ForStateDirectory(state), out _);
        Assert.Equal(daemon.Instance.Instance, cli.Instance.Instance);

        var held = Assert.IsType<FleetLeaseAttempt.Acquired>(await daemon.TryAcquireAsync("site", "renewal", CancellationToken.None)).Lease;
        var putsBefore = _store.Puts;
        Assert.IsType<FleetLeaseAttempt.Busy>(await cli.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Equal(putsBefore, _store.Puts); // the lease object was not touched
        Assert.False(held.Lost.IsCancellationRequested);

        // A concurrent attempt on another certificate is not blocked by this one.
        var otherName = Assert.IsType<FleetLeaseAttempt.Acquired>(await cli.TryAcquireAsync("shop", "renewal", CancellationToken.None));
        await otherName.Lease.DisposeAsync();

        await held.DisposeAsync();
        var next = Assert.IsType<FleetLeaseAttempt.Acquired>(await cli.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.Null(next.Abandoned); // released, nothing to clean
        await next.Lease.DisposeAsync();
    }

    [Fact]
    public void The_instance_id_is_kept_private_across_restarts_and_replaced_when_the_state_directory_was_copied_from_another_machine()
    {
        var state = Path.Combine(_root.FullName, "a");
        var first = FleetInstance.ForStateDirectory(state);
        var file = Path.Combine(state, FleetInstance.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(first.Instance, FleetInstance.ForStateDirectory(state).Instance);
        Assert.StartsWith(first.Instance + "/", first.Id, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(state, "*.tmp"));

        File.WriteAllText(file, "0123456789abcdef some-other-machine/0000\n");
        var copied = FleetInstance.ForStateDirectory(state);
        Assert.NotEqual("0123456789abcdef", copied.Instance);
        Assert.Equal(copied.Instance, FleetInstance.ForStateDirectory(state).Instance);
    }

    [Fact]
    public async Task A_clone_of_the_state_directory_never_takes_over_the_originals_lease_early()
    {
        // A state directory copied to another machine whose host name and machine-id are the same (an image that
        // carries its machine-id, a container with a fixed host name) keeps the same instance id.
        var original = Path.Combine(_root.FullName, "original");
        var first = Leases(FleetInstance.ForStateDirectory(original), out _);
        var held = Assert.IsType<FleetLeaseAttempt.Acquired>(await first.TryAcquireAsync("site", "renewal", CancellationToken.None)).Lease;
        var clone = Path.Combine(_root.FullName, "clone");
        Directory.CreateDirectory(clone);
        File.Copy(Path.Combine(original, FleetInstance.FileName), Path.Combine(clone, FleetInstance.FileName));
        var cloned = Leases(FleetInstance.ForStateDirectory(clone), out _);
        Assert.Equal(first.Instance.Instance, cloned.Instance.Instance);

        // While the original holds the lease (alive, on its machine), the clone waits for expiry like any instance.
        Assert.IsType<FleetLeaseAttempt.Busy>(await cloned.TryAcquireAsync("site", "renewal", CancellationToken.None));
        Assert.False(held.Lost.IsCancellationRequested);
        await held.DisposeAsync();
    }

    /// <summary>What a killed process leaves: the lease unreleased in the store, its lock file closed by the kernel.</summary>
    private async Task DieHoldingAsync(HeldLease held)
    {
        _store.Unreachable = true;
        await held.DisposeAsync();
        _store.Unreachable = false;
    }

    private FleetLeases Leases(FleetInstance instance, out CapturingLogger<FleetLeases> log)
    {
        log = new CapturingLogger<FleetLeases>();
        return new FleetLeases(_store, Options, instance, _time, log);
    }

    private ChallengeJournalEntry Record(string value) =>
        new("Z1", "example.test", "_acme-challenge.example.test", "_acme-challenge.example.test", value, _time.GetUtcNow());
}
