using CertDaemon.Configuration;
using CertDaemon.Renewal;
using CertDaemon.Storage;
using CertDaemon.Tests.Storage;
using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Reliability;

/// <summary>
/// One certificate's state file broken in each shape an operator or a full disk produces: it is set aside (kept),
/// rebuilt from the live files, reported once with its path, and the other certificate is unaffected. A state file
/// from a newer CertDaemon is refused clearly and left alone.
/// </summary>
public sealed class CorruptStateFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("certdaemon-corrupt-state-").FullName;
    private readonly TestCertificates _ca = new();
    private readonly CertDaemonOptions _options;
    private readonly CertificateStore _store;

    public CorruptStateFileTests()
    {
        _options = new CertDaemonOptions
        {
            StateDirectory = Path.Combine(_root, "state"),
            CertificateDirectory = Path.Combine(_root, "letsencrypt"),
            Certificates =
            [
                new CertificateOptions { Name = "broken", Domains = ["broken.example.com"] },
                new CertificateOptions { Name = "fine", Domains = ["fine.example.com"] },
            ],
        };
        _store = new CertificateStore(_options.CertificateDirectory, new CertificateStoreOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    public static TheoryData<string, string> Shapes => new()
    {
        { "truncated", "{\"schemaVersion\":1,\"name\":\"broken\",\"history\":[{\"vers" },
        { "null", "null" },
        { "empty object", "{}" },
        { "wrong types", "{\"schemaVersion\":1,\"name\":\"broken\",\"history\":\"yesterday\",\"targets\":[1,2]}" },
        { "empty file", "" },
        { "another certificate's", "{\"schemaVersion\":1,\"name\":\"fine\"}" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_corrupt_state_is_set_aside_rebuilt_from_the_live_files_reported_once_and_the_others_are_unaffected(string shape, string content)
    {
        var log = new CapturingLogger<CertificateStateStore>();
        var states = States(log);
        var broken = await IssueAsync(states, "broken");
        var fine = await IssueAsync(states, "fine");
        var path = states.PathOf("broken");
        await File.WriteAllTextAsync(path, content);

        var statuses = await new CertificateStatusReader(_options, new ManagedCertificateCatalog(_options, states), states, TimeProvider.System)
            .ReadAsync(CancellationToken.None);

        // Both certificates are shown; the broken one with what is really live, not as "none issued yet".
        Assert.Equal(["broken", "fine"], statuses.Select(s => s.Name));
        Assert.True(broken.Serial == statuses[0].Serial, $"{shape}: status shows serial '{statuses[0].Serial}', live is {broken.Serial}");
        Assert.Equal(fine.Serial, statuses[1].Serial);
        Assert.Null(statuses[1].LastError);
        Assert.NotEqual("missing", statuses[0].NextRenewalReason);

        // The bad file is kept beside, byte for byte, and its path is in the status and in one log event.
        var aside = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "broken.json.corrupt-*"));
        Assert.Equal(content, await File.ReadAllTextAsync(aside));
        Assert.Contains(aside, statuses[0].LastError, StringComparison.Ordinal);
        var reported = Assert.Single(log.Named("CertificateStateSetAside"));
        Assert.Equal(aside, reported.Property("SetAsidePath"));

        // The rebuilt state was saved: the next reader sees a valid file and nothing is reported again.
        var again = await states.LoadAsync("broken", CancellationToken.None);
        Assert.Equal(broken.Serial, again!.Current!.Serial);
        Assert.Single(log.Named("CertificateStateSetAside"));
    }

    [Fact]
    public async Task A_state_file_from_a_newer_schema_is_refused_clearly_and_left_alone_while_the_others_are_shown()
    {
        var states = States(new CapturingLogger<CertificateStateStore>());
        await IssueAsync(states, "broken");
        await IssueAsync(states, "fine");
        var path = states.PathOf("broken");
        const string newer = "{\"schemaVersion\":7,\"name\":\"broken\",\"somethingNew\":{}}";
        await File.WriteAllTextAsync(path, newer);

        var error = await Assert.ThrowsAsync<CertificateStoreException>(() => states.LoadAsync("broken", CancellationToken.None));
        Assert.Contains("newer CertDaemon (schema 7", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);

        var statuses = await new CertificateStatusReader(_options, new ManagedCertificateCatalog(_options, states), states, TimeProvider.System)
            .ReadAsync(CancellationToken.None);
        Assert.Equal(CertificateStatusReader.UnreadableStateKind, statuses[0].LastErrorKind);
        Assert.Contains("newer CertDaemon", statuses[0].LastError, StringComparison.Ordinal);
        Assert.NotNull(statuses[1].Serial);
        using var table = new StringWriter();
        CertDaemon.Cli.StatusCommand.WriteTable(statuses, table, TimeProvider.System.GetUtcNow());
        Assert.DoesNotContain("none issued yet", table.ToString(), StringComparison.Ordinal);
        Assert.Equal(newer, await File.ReadAllTextAsync(path));
    }

    private CertificateStateStore States(CapturingLogger<CertificateStateStore> log) =>
        new(_options.StateDirectory, TimeProvider.System, log) { RebuildFromLiveFiles = new LiveStateRebuilder(_options, _store).Rebuild };

    private async Task<CurrentCertificate> IssueAsync(CertificateStateStore states, string name)
    {
        var stored = await _store.CommitAsync(name, _ca.Issue(name + ".example.com"), CancellationToken.None);
        var now = TimeProvider.System.GetUtcNow();
        var current = new CurrentCertificate(stored.Version, stored.Serial, [name + ".example.com"], "ec256", now, stored.NotAfter, null, _options.Acme.DirectoryUrl, now);
        await states.SaveAsync(new CertificateState { Name = name, Current = current }, CancellationToken.None);
        return current;
    }
}
