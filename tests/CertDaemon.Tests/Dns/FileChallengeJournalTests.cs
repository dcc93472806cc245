using CertDaemon.Dns;

namespace CertDaemon.Tests.Dns;

public sealed class FileChallengeJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("certdaemon-journal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Entries_survive_a_new_instance_are_deduplicated_and_removed_by_key()
    {
        var a = Entry("a");
        var b = Entry("b");
        using (var journal = new FileChallengeJournal(_directory))
        {
            await journal.RecordPendingAsync([a, b], default);
            await journal.RecordPendingAsync([a with { RecordedAt = DateTimeOffset.UnixEpoch.AddDays(1) }], default);
        }

        using var reopened = new FileChallengeJournal(_directory);
        Assert.Equal([a, b], await reopened.ListAsync(default));

        await reopened.RemoveAsync([b with { RecordName = "irrelevant.", RecordedAt = default }, Entry("never-there")], default);
        Assert.Equal([a], await reopened.ListAsync(default));
    }

    [Fact]
    public async Task The_file_is_private_no_temporary_file_remains_and_it_goes_away_when_empty()
    {
        using var journal = new FileChallengeJournal(_directory);
        await journal.RecordPendingAsync([Entry("a")], default);

        Assert.Equal(Path.Combine(_directory, "dns-journal.json"), journal.Path);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(journal.Path));
        }

        Assert.Equal([journal.Path], Directory.GetFiles(_directory));

        await journal.RemoveAsync([Entry("a")], default);
        Assert.Empty(Directory.GetFiles(_directory));
        Assert.Empty(await journal.ListAsync(default));
    }

    [Fact]
    public async Task A_corrupt_journal_is_reported_with_its_path()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "dns-journal.json"), "{ not json");
        using var journal = new FileChallengeJournal(_directory);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => journal.ListAsync(default));
        Assert.Contains("dns-journal.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_state_directory_is_created_private()
    {
        var stateDirectory = Path.Combine(_directory, "state");
        using var journal = new FileChallengeJournal(stateDirectory);

        await journal.RecordPendingAsync([Entry("a")], default);

        Assert.Single(await journal.ListAsync(default));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(stateDirectory));
        }
    }

    private static ChallengeJournalEntry Entry(string value) =>
        new("Z1", "example.test.", "_acme-challenge.example.test.", "_acme-challenge.example.test.", value, DateTimeOffset.UnixEpoch);
}
