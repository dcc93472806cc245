using System.Globalization;
using System.Net;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;

namespace CertDaemon.Tests.Dns;

/// <summary>
/// An in-memory Route53 that behaves like the real one where the solver depends on it: zones listed in
/// reversed-label order starting at the asked name, private zones, record sets ordered by (reversed name, type)
/// with Route53's <c>\052</c> spelling, atomic batches with Route53's per-request limits (UPSERT counts twice),
/// DELETE that must match TTL and every value, quoted TXT values of at most 255 characters per string, and
/// changes that stay PENDING for <see cref="PendingPolls"/> GetChange calls.
/// </summary>
internal sealed class FakeRoute53Client : IRoute53Client
{
    private readonly Lock _lock = new();
    private readonly List<FakeZone> _zones = [];
    private readonly Dictionary<string, FakeChange> _changes = new(StringComparer.Ordinal);
    private int _nextId;

    /// <summary>GetChange calls answering PENDING before INSYNC, for changes submitted from now on.</summary>
    public int PendingPolls { get; set; } = 2;

    /// <summary>Called once when a change becomes INSYNC, with each changed name and its plain values (empty: deleted).</summary>
    public Func<IReadOnlyList<(string Name, IReadOnlyList<string> Values)>, Task>? OnInSync { get; set; }

    /// <summary>When it returns an exception for a request, ChangeResourceRecordSets throws it instead of applying the batch.</summary>
    public Func<string, ChangeBatch, Exception?>? FailChange { get; set; }

    public List<(string ZoneId, ChangeBatch Batch)> ChangeRequests { get; } = [];

    public List<string> GetChangeRequests { get; } = [];

    /// <summary>How many GetChange calls fail with a retryable Throttling error (after the client's own retries) before answering.</summary>
    public int FailingGetChangePolls { get; set; }

    public List<(string DnsName, int MaxItems)> ListHostedZonesByNameRequests { get; } = [];

    public int GetHostedZoneCalls { get; private set; }

    public HostedZone AddZone(string name, bool privateZone = false, params string[] nameServers)
    {
        lock (_lock)
        {
            var zone = new HostedZone(string.Create(CultureInfo.InvariantCulture, $"Z{++_nextId:D4}FAKE"), Fqdn(name), privateZone, 2);
            _zones.Add(new FakeZone(zone, privateZone ? [] : nameServers.Length > 0 ? nameServers : ["ns-1.fake.test.", "ns-2.fake.test."]));
            return zone;
        }
    }

    /// <summary>Seeds a record set as if someone else created it (values in wire form).</summary>
    public void Seed(string zoneId, ResourceRecordSet set)
    {
        lock (_lock)
        {
            Zone(zoneId).Sets[(Key(set.Name), set.Type)] = set with { Name = Spell(set.Name) };
        }
    }

    public ResourceRecordSet? Find(string zoneId, string name, string type = "TXT")
    {
        lock (_lock)
        {
            return Zone(zoneId).Sets.GetValueOrDefault((Key(name), type));
        }
    }

    public List<(string ZoneId, ChangeBatch Batch)> ChangesTo(string zoneId) => [.. ChangeRequests.Where(r => r.ZoneId == zoneId)];

    public Task<IReadOnlyList<HostedZone>> ListHostedZonesByNameAsync(string dnsName, int maxItems, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ListHostedZonesByNameRequests.Add((dnsName, maxItems));
            var start = Labels(dnsName);
            IReadOnlyList<HostedZone> zones = [.. _zones
                .OrderBy(z => Labels(z.Zone.Name), LabelComparer.Instance).ThenBy(z => z.Zone.Id, StringComparer.Ordinal)
                .Where(z => LabelComparer.Instance.Compare(Labels(z.Zone.Name), start) >= 0)
                .Take(maxItems)
                .Select(z => z.Zone)];
            return Task.FromResult(zones);
        }
    }

    public Task<HostedZoneDetails> GetHostedZoneAsync(string hostedZoneId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            GetHostedZoneCalls++;
            var zone = Zone(hostedZoneId);
            return Task.FromResult(new HostedZoneDetails(zone.Zone, zone.NameServers));
        }
    }

    public Task<ResourceRecordSetPage> ListResourceRecordSetsAsync(
        string hostedZoneId, string? startName, string? startType, int? maxItems, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var ordered = Zone(hostedZoneId).Sets.Values
                .OrderBy(s => Labels(s.Name), LabelComparer.Instance).ThenBy(s => s.Type, StringComparer.Ordinal).ToList();
            var from = startName is null ? 0 : ordered.FindIndex(s =>
            {
                var byName = LabelComparer.Instance.Compare(Labels(s.Name), Labels(startName));
                return byName > 0 || (byName == 0 && string.CompareOrdinal(s.Type, startType ?? "") >= 0);
            });
            if (from < 0)
            {
                return Task.FromResult(new ResourceRecordSetPage([], false, null, null));
            }

            var take = Math.Min(maxItems ?? 300, 300);
            var page = ordered.Skip(from).Take(take).ToList();
            var next = ordered.Skip(from + take).FirstOrDefault();
            return Task.FromResult(new ResourceRecordSetPage(page, next is not null, next?.Name, next?.Type));
        }
    }

    public Task<ChangeInfo> ChangeResourceRecordSetsAsync(string hostedZoneId, ChangeBatch batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ChangeRequests.Add((hostedZoneId, batch));
            if (FailChange?.Invoke(hostedZoneId, batch) is { } failure)
            {
                throw failure;
            }

            var zone = Zone(hostedZoneId);
            CheckLimits(batch);
            var sets = new Dictionary<(string, string), ResourceRecordSet>(zone.Sets);
            var touched = new HashSet<(string, string)>();
            foreach (var change in batch.Changes)
            {
                var set = change.RecordSet;
                var key = (Key(set.Name), set.Type);
                if (!touched.Add(key))
                {
                    throw Invalid($"more than one change for {set.Name} {set.Type}");
                }

                if (!Key(set.Name).EndsWith("." + Key(zone.Zone.Name), StringComparison.Ordinal) && Key(set.Name) != Key(zone.Zone.Name))
                {
                    throw Invalid($"{set.Name} is not in zone {zone.Zone.Name}");
                }

                if (set.Type == "TXT")
                {
                    CheckTxtValues(set);
                }

                switch (change.Action)
                {
                    case ChangeAction.Create when sets.ContainsKey(key):
                        throw Invalid($"Tried to create resource record set [name='{set.Name}', type='{set.Type}'] but it already exists");
                    case ChangeAction.Delete:
                        if (!sets.TryGetValue(key, out var existing))
                        {
                            throw Invalid($"Tried to delete resource record set [name='{set.Name}', type='{set.Type}'] but it was not found");
                        }

                        if (existing.Ttl != set.Ttl || !existing.Values.Order(StringComparer.Ordinal).SequenceEqual(set.Values.Order(StringComparer.Ordinal)))
                        {
                            throw Invalid($"Tried to delete resource record set [name='{set.Name}', type='{set.Type}'] but the values provided do not match the current values");
                        }

                        sets.Remove(key);
                        break;
                    default:
                        sets[key] = set with { Name = Spell(set.Name) };
                        break;
                }
            }

            zone.Sets.Clear();
            foreach (var (key, value) in sets)
            {
                zone.Sets[key] = value;
            }

            var id = string.Create(CultureInfo.InvariantCulture, $"C{++_nextId:D6}");
            var names = batch.Changes.Select(c => (Key(c.RecordSet.Name), c.RecordSet.Type)).ToList();
            _changes[id] = new FakeChange(hostedZoneId, names) { Remaining = PendingPolls };
            return Task.FromResult(new ChangeInfo(id, ChangeStatus.Pending, DateTimeOffset.UnixEpoch));
        }
    }

    public async Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken)
    {
        List<(string Name, IReadOnlyList<string> Values)>? synced = null;
        lock (_lock)
        {
            GetChangeRequests.Add(changeId);
            if (FailingGetChangePolls > 0)
            {
                FailingGetChangePolls--;
                throw new AwsServiceException("route53", "GetChange", HttpStatusCode.BadRequest, "Throttling", "Rate exceeded", "fake");
            }

            if (!_changes.TryGetValue(changeId, out var change))
            {
                throw new AwsServiceException("route53", "GetChange", HttpStatusCode.NotFound, "NoSuchChange", $"A change with the specified change ID does not exist: {changeId}", "fake");
            }

            if (change.Remaining > 0)
            {
                change.Remaining--;
                return new ChangeInfo(changeId, ChangeStatus.Pending, DateTimeOffset.UnixEpoch);
            }

            if (!change.Synced)
            {
                change.Synced = true;
                var zone = Zone(change.ZoneId);
                synced = [.. change.Names.Where(n => n.Type == "TXT").Select(n =>
                    (n.Name, (IReadOnlyList<string>)[.. zone.Sets.GetValueOrDefault(n)?.Values.Select(PlainTxt) ?? []]))];
            }
        }

        if (synced is not null && OnInSync is not null)
        {
            await OnInSync(synced);
        }

        return new ChangeInfo(changeId, ChangeStatus.InSync, DateTimeOffset.UnixEpoch);
    }

    /// <summary>The plain text of a quoted TXT wire value (only what this double's users write: no octal escapes).</summary>
    public static string PlainTxt(string wire)
    {
        var text = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < wire.Length; i++)
        {
            var c = wire[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\\' && quoted && i + 1 < wire.Length)
            {
                text.Append(wire[++i]);
            }
            else if (quoted)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static void CheckTxtValues(ResourceRecordSet set)
    {
        foreach (var value in set.Values)
        {
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"')
            {
                throw Invalid($"Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '{value}''");
            }

            var length = 0;
            var quoted = false;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] == '"')
                {
                    quoted = !quoted;
                    length = 0;
                }
                else if (quoted)
                {
                    i += value[i] == '\\' ? 1 : 0;
                    if (++length > 255)
                    {
                        throw Invalid($"Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '{value[..20]}...''");
                    }
                }
            }
        }
    }

    private static void CheckLimits(ChangeBatch batch)
    {
        long changes = 0, records = 0, characters = 0;
        foreach (var change in batch.Changes)
        {
            var weight = change.Action == ChangeAction.Upsert ? 2 : 1;
            changes += weight;
            records += weight * change.RecordSet.Values.Count;
            characters += weight * change.RecordSet.Values.Sum(v => v.Length);
        }

        if (changes > 100 || records > 1000 || characters > 32000)
        {
            throw Invalid($"batch over the per-request limits: {changes} changes, {records} records, {characters} characters");
        }
    }

    private FakeZone Zone(string id) =>
        _zones.FirstOrDefault(z => z.Zone.Id == id)
        ?? throw new AwsServiceException("route53", "GetHostedZone", HttpStatusCode.NotFound, "NoSuchHostedZone", $"No hosted zone found with ID: {id}", "fake");

    private static AwsServiceException Invalid(string message) =>
        new("route53", "ChangeResourceRecordSets", HttpStatusCode.BadRequest, "InvalidChangeBatch", message, "fake");

    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    /// <summary>Comparison key: lower case, trailing dot, <c>\052</c> as <c>*</c>.</summary>
    private static string Key(string name) => Fqdn(name).Replace("\\052", "*", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>How Route53 spells a name in its answers.</summary>
    private static string Spell(string name) => Key(name).Replace("*", "\\052", StringComparison.Ordinal);

    private static string[] Labels(string name) => [.. Key(name).TrimEnd('.').Split('.').Reverse()];

    private sealed record FakeZone(HostedZone Zone, IReadOnlyList<string> NameServers)
    {
        public Dictionary<(string Name, string Type), ResourceRecordSet> Sets { get; } = [];
    }

    private sealed record FakeChange(string ZoneId, IReadOnlyList<(string Name, string Type)> Names)
    {
        public int Remaining { get; set; }

        public bool Synced { get; set; }
    }

    private sealed class LabelComparer : IComparer<string[]>
    {
        public static LabelComparer Instance { get; } = new();

        public int Compare(string[]? x, string[]? y)
        {
            x ??= [];
            y ??= [];
            for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                var c = string.CompareOrdinal(x[i], y[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return x.Length.CompareTo(y.Length);
        }
    }
}
