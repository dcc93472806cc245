using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;

namespace CertDaemon.Testbed.Route53;

/// <summary>
/// Route53's change-batch semantics: limits first, then each change in order against a working copy; any problem
/// rejects the whole batch (the zone keeps its old record sets). Messages follow Route53's wording.
/// </summary>
internal static class ChangeBatchApplier
{
    public sealed record Result(
        ImmutableSortedDictionary<RecordSetKey, Route53RecordSet>? RecordSets,
        IReadOnlyList<RecordSetKey> ChangedKeys,
        IReadOnlyList<string> Problems);

    public static Result Apply(EmulatedHostedZone zone, IReadOnlyList<Route53Change> changes, Route53EmulatorOptions limits)
    {
        var problems = new List<string>();
        if (changes.Count > limits.MaxChangesPerBatch)
        {
            problems.Add($"Number of changes limit of {limits.MaxChangesPerBatch} exceeded: {changes.Count}");
        }

        // AWS quotas: an UPSERT's records and characters count twice.
        var records = changes.Sum(c => c.RecordSet.Values.Count * (c.Action == Route53ChangeAction.Upsert ? 2 : 1));
        if (records > limits.MaxRecordsPerBatch)
        {
            problems.Add($"Number of records limit of {limits.MaxRecordsPerBatch} exceeded: {records}");
        }

        var characters = changes.Sum(c => c.RecordSet.Values.Sum(v => v.Length) * (c.Action == Route53ChangeAction.Upsert ? 2 : 1));
        if (characters > limits.MaxValueCharactersPerBatch)
        {
            problems.Add($"Number of characters limit of {limits.MaxValueCharactersPerBatch} exceeded: {characters}");
        }

        if (problems.Count > 0)
        {
            return new Result(null, [], problems);
        }

        var sets = zone.RecordSets.ToBuilder();
        var changed = new List<RecordSetKey>();
        foreach (var change in changes)
        {
            var set = change.RecordSet;
            if (!Route53DnsName.TryNormalize(set.Name, out var name))
            {
                problems.Add($"DNS name {set.Name} is not well-formed");
                continue;
            }

            if (!Route53DnsName.IsInZone(name, zone.Name))
            {
                problems.Add($"RRSet with DNS name {name} is not permitted in zone {zone.Name}");
                continue;
            }

            var valueProblems = ValidateValues(set.Type, set.Values);
            if (valueProblems.Count > 0)
            {
                problems.AddRange(valueProblems);
                continue;
            }

            var key = new RecordSetKey(name, set.Type);
            var normalized = set with { Name = name };
            var describe = $"[name='{name}', type='{set.Type}']";
            switch (change.Action)
            {
                case Route53ChangeAction.Create when sets.ContainsKey(key):
                    problems.Add($"Tried to create resource record set {describe} but it already exists");
                    continue;
                case Route53ChangeAction.Delete when !sets.ContainsKey(key):
                    problems.Add($"Tried to delete resource record set {describe} but it was not found");
                    continue;
                case Route53ChangeAction.Delete when !SameContent(sets[key], normalized):
                    problems.Add($"Tried to delete resource record set {describe} but the values provided do not match the current values");
                    continue;
                case Route53ChangeAction.Delete when name == zone.Name && set.Type is "SOA" or "NS":
                    problems.Add($"A HostedZone must contain at least one NS record and exactly one SOA record for the zone itself: cannot delete {describe}");
                    continue;
                case Route53ChangeAction.Delete:
                    sets.Remove(key);
                    break;
                default:
                    if (ConflictProblem(sets, zone.Name, key) is { } conflict)
                    {
                        problems.Add(conflict);
                        continue;
                    }

                    sets[key] = normalized;
                    break;
            }

            changed.Add(key);
        }

        return problems.Count > 0 ? new Result(null, [], problems) : new Result(sets.ToImmutable(), changed.Distinct().ToList(), []);
    }

    /// <summary>DELETE must name the TTL and every value exactly (order does not matter).</summary>
    private static bool SameContent(Route53RecordSet current, Route53RecordSet requested) =>
        current.Ttl == requested.Ttl &&
        current.Values.Order(StringComparer.Ordinal).SequenceEqual(requested.Values.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private static string? ConflictProblem(ImmutableSortedDictionary<RecordSetKey, Route53RecordSet>.Builder sets, string zoneName, RecordSetKey key)
    {
        if (key.Type == "CNAME" && key.Name == zoneName)
        {
            return $"RRSet of type CNAME with DNS name {key.Name} is not permitted at apex in zone {zoneName}";
        }

        var others = sets.Keys.Where(k => k.Name == key.Name && k.Type != key.Type).ToList();
        if (key.Type == "CNAME" && others.Count > 0)
        {
            return $"RRSet of type CNAME with DNS name {key.Name} is not permitted as it conflicts with other records with the same DNS name in zone {zoneName}";
        }

        if (key.Type != "CNAME" && others.Any(k => k.Type == "CNAME"))
        {
            return $"RRSet of type {key.Type} with DNS name {key.Name} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone {zoneName}";
        }

        return null;
    }

    private static List<string> ValidateValues(string type, IReadOnlyList<string> values)
    {
        var problems = new List<string>();
        foreach (var value in values)
        {
            if (value.Length > 4000)
            {
                problems.Add($"Invalid Resource Record: 'FATAL problem: RRDATATooLong encountered with '{value[..40]}...''");
                continue;
            }

            var problem = type switch
            {
                "TXT" or "SPF" => TxtRdata.TryParse(value, out _, out var txtProblem) ? null : txtProblem,
                "A" => IPAddress.TryParse(value, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && value.Count(c => c == '.') == 3 ? null : "ARRDATAIllegalIPv4Address",
                "AAAA" => IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? null : "AAAARRDATAIllegalIPv6Address",
                "CNAME" => Route53DnsName.TryNormalize(value, out _) ? null : "DomainLabelEmpty",
                _ => string.IsNullOrWhiteSpace(value) ? "RRDATAEmpty" : null,
            };
            if (problem is not null)
            {
                problems.Add($"Invalid Resource Record: 'FATAL problem: {problem} encountered with '{value}''");
            }
        }

        if (type == "CNAME" && values.Count > 1)
        {
            problems.Add("Invalid Resource Record: 'FATAL problem: CNAME RRSet can contain only one record'");
        }

        foreach (var duplicate in values.GroupBy(v => v, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"Duplicate Resource Record: '{duplicate.Key}'");
        }

        return problems;
    }
}
