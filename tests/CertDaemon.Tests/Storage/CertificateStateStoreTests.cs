using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Storage;

public sealed class CertificateStateStoreTests : IDisposable
{
    private readonly StoreTestDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private string StateDirectory => Path.Combine(_dir.Root, "state");

    private CertificateStateStore Store(IStoreFileSystem? fileSystem = null) =>
        new(StateDirectory, _time, NullLogger.Instance, fileSystem ?? LinuxFileSystem.Instance);

    [Fact]
    public async Task State_round_trips_with_history_targets_and_errors()
    {
        var state = new CertificateState
        {
            Name = "example.com",
            Domains = ["example.com", "*.example.com"],
            History = [new CertificateHistoryEntry(3, "0ABC", _time.GetUtcNow().AddDays(90), _time.GetUtcNow())],
            Targets = new Dictionary<string, TargetState>
            {
                ["nginx"] = new() { HeldSerial = "0ABC", LastAttemptAt = _time.GetUtcNow(), LastSuccessAt = _time.GetUtcNow() },
                ["acm:us-east-1"] = new() { Arn = "arn:aws:acm:us-east-1:123456789012:certificate/x", LastError = new StateError("throttled", _time.GetUtcNow(), "ThrottlingException") },
            },
            LastError = new StateError("rateLimited", _time.GetUtcNow(), "urn:ietf:params:acme:error:rateLimited"),
        };

        var saved = await Store().SaveAsync(state, CancellationToken.None);
        var loaded = await Store().LoadAsync("example.com", CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(_time.GetUtcNow(), loaded.UpdatedAt);
        Assert.Equal(saved.Domains, loaded.Domains);
        Assert.Equal(saved.History, loaded.History);
        Assert.Equal(saved.LastError, loaded.LastError);
        Assert.Equal(saved.Targets["nginx"], loaded.Targets["nginx"]);
        Assert.Equal(saved.Targets["acm:us-east-1"], loaded.Targets["acm:us-east-1"]);
        Assert.Contains("\"heldSerial\": \"0ABC\"", await File.ReadAllTextAsync(Store().PathOf("example.com")), StringComparison.Ordinal);
        Assert.Equal(["example.com"], Store().ListNames());
    }

    [Fact]
    public async Task State_file_is_0640_in_new_0700_directories_and_a_monitoring_group_on_certificates_is_kept_but_no_wider()
    {
        await Store().UpdateAsync("example.com", s => s with { Domains = ["example.com"] }, CancellationToken.None);

        var rwx = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.Equal(rwx, File.GetUnixFileMode(StateDirectory));
        var certificates = Path.Combine(StateDirectory, "certificates");
        Assert.Equal(rwx, File.GetUnixFileMode(certificates));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Store().PathOf("example.com")));

        // What docs/operations.md tells an operator to do for a monitoring user (2750 + 0711) survives a save;
        // anything wider (group write, others read) is taken away.
        var monitored = rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetGroup;
        File.SetUnixFileMode(certificates, monitored | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(StateDirectory, rwx | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);
        await Store().UpdateAsync("example.com", s => s with { Domains = ["www.example.com"] }, CancellationToken.None);
        Assert.Equal(monitored, File.GetUnixFileMode(certificates));
        Assert.Equal(rwx | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute, File.GetUnixFileMode(StateDirectory));
    }

    [Fact]
    public async Task Concurrent_updates_of_one_certificate_are_serialised()
    {
        var store = Store();

        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() => store.UpdateAsync(
            "example.com",
            s => s with { History = [.. s.History, new CertificateHistoryEntry(i, $"{i:X2}", _time.GetUtcNow(), _time.GetUtcNow())] },
            CancellationToken.None))));

        Assert.Equal(20, (await store.LoadAsync("example.com", CancellationToken.None))!.History.Count);
    }

    [Fact]
    public async Task Failure_at_each_write_step_leaves_the_previous_state_file_intact()
    {
        await Store().UpdateAsync("example.com", s => s with { Domains = ["old.example.com"] }, CancellationToken.None);
        var before = await File.ReadAllTextAsync(Store().PathOf("example.com"));

        // Steps of a save to an existing directory: write temporary file, rename (then the directory fsync, whose
        // failure means the new file is already in place: FaultInjectionTests covers that case for AtomicFile).
        for (var k = 0; k < 2; k++)
        {
            var faulty = Store(new FaultInjectingFileSystem { FailAt = k });

            var error = await Assert.ThrowsAsync<CertificateStoreException>(() =>
                faulty.UpdateAsync("example.com", s => s with { Domains = ["new.example.com"] }, CancellationToken.None));

            Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
            Assert.Contains("previous state file is intact", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, await File.ReadAllTextAsync(Store().PathOf("example.com")));
            Assert.Single(Directory.EnumerateFiles(Path.Combine(StateDirectory, "certificates")));
        }
    }

    [Fact]
    public async Task Corrupt_state_file_is_set_aside_and_reported_with_its_path()
    {
        Directory.CreateDirectory(Path.Combine(StateDirectory, "certificates"));
        await File.WriteAllTextAsync(Store().PathOf("example.com"), "{ not json");

        var state = await Store().LoadAsync("example.com", CancellationToken.None);

        // Without live files to rebuild from, the certificate starts afresh; the error names the kept file.
        Assert.Null(state!.Current);
        Assert.Contains(Store().PathOf("example.com") + ".corrupt-", state.LastError!.Message, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(StateDirectory, "certificates"), "example.com.json.corrupt-*"));
    }

    [Fact]
    public async Task Missing_state_is_null_and_unsafe_names_are_rejected()
    {
        Assert.Null(await Store().LoadAsync("example.com", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store().LoadAsync("../passwd", CancellationToken.None));
    }

    public void Dispose() => _dir.Dispose();
}
