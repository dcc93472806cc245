using System.Collections.Concurrent;
using CertDaemon.Dns;

namespace CertDaemon.Testbed.Pebble;

/// <summary>
/// A test DNS-01 solver that writes straight into pebble-challtestsrv (no Route53): proves the ACME and issuance
/// layers on their own. Records what it was asked, so tests can check batching and clean-up.
/// </summary>
internal sealed class ChallTestSrvDnsSolver(ChallTestSrvClient challTestSrv) : IDnsChallengeSolver
{
    private readonly ConcurrentDictionary<string, List<string>> _published = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When set, publishes this value instead of the right one (a failed-validation test).</summary>
    public string? WrongValue { get; set; }

    public int PresentCalls { get; private set; }

    public int CleanUpCalls { get; private set; }

    public IReadOnlyList<DnsChallengeRecord> LastPresented { get; private set; } = [];

    /// <summary>Names that currently hold values this solver published.</summary>
    public IReadOnlyCollection<string> PublishedNames => _published.Keys.ToList();

    public async Task PresentAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken)
    {
        PresentCalls++;
        LastPresented = records;
        foreach (var record in records)
        {
            var value = WrongValue ?? record.Value;
            _published.GetOrAdd(record.RecordName, _ => []).Add(value);
            await challTestSrv.AddTxtAsync(record.RecordName, value, cancellationToken);
        }
    }

    public async Task CleanUpAsync(IReadOnlyList<DnsChallengeRecord> records, CancellationToken cancellationToken)
    {
        CleanUpCalls++;
        foreach (var name in records.Select(r => r.RecordName).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            // challtestsrv has no per-value delete: clear the name (the test owns every value on it).
            await challTestSrv.ClearTxtAsync(name, cancellationToken);
            _published.TryRemove(name, out _);
        }
    }
}
