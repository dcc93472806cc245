using System.Text;
using CertDaemon.Aws.Route53;

namespace CertDaemon.Dns.Route53;

/// <summary>
/// Pure decisions about TXT record sets in Route53: what to send to add our challenge values next to whatever is
/// there, what to send to take only ours away, how to split that into requests, and the TXT wire form.
/// </summary>
/// <remarks>
/// Route53 facts this encodes: a record set is replaced whole, and a DELETE must repeat the current TTL and every value
/// exactly or the whole batch fails with InvalidChangeBatch; a CREATE of a set that exists fails the same way. So every
/// change is a compare-and-swap: a new set is a CREATE (fails if someone created it meanwhile), a changed set is a
/// DELETE of the set exactly as we read it plus a CREATE of the new one in the same batch (fails if anyone changed it
/// meanwhile), a set left with only our values is a DELETE of it as read. No UPSERT, which would silently overwrite a
/// value another host added between our read and our write. Names are compared normalised (<see cref="DnsName"/>),
/// values unquoted.
/// </remarks>
internal static class TxtRecordSetMerge
{
    /// <summary>The TTL of a TXT record set we create (an existing set keeps its own). The default value is 60 seconds.</summary>
    public const long DefaultTtl = 60;

    /// <summary>The longest character-string of a TXT record (RFC 1035 3.3.14).</summary>
    public const int MaxStringLength = 255;

    private const string Txt = "TXT";

    /// <summary>
    /// Per name whose current set lacks any of our values: a CREATE of our values (TTL <paramref name="ttlForNewSets"/>)
    /// when there is no set, else DELETE of the set as read plus CREATE of its values (as Route53 returned them) followed
    /// by ours, with its TTL. Names already holding every value get nothing.
    /// </summary>
    public static IReadOnlyList<ResourceRecordSetChange> Publish(
        IEnumerable<ResourceRecordSet> current, IEnumerable<TxtRecordValue> ours, long ttlForNewSets = DefaultTtl)
    {
        var sets = IndexTxtSets(current);
        var changes = new List<ResourceRecordSetChange>();
        foreach (var (name, values) in GroupByName(ours))
        {
            sets.TryGetValue(name, out var existing);
            var present = existing?.Values.Select(Unquote).ToHashSet(StringComparer.Ordinal) ?? [];
            var added = values.Where(present.Add).ToList();
            if (added.Count == 0)
            {
                continue;
            }

            IReadOnlyList<string> wire = [.. existing?.Values ?? [], .. added.Select(Quote)];
            var replacement = new ResourceRecordSet(name, Txt, existing?.Ttl ?? ttlForNewSets, wire);
            changes.AddRange(existing is null ? [new ResourceRecordSetChange(ChangeAction.Create, replacement)] : Swap(existing, replacement));
        }

        return changes;
    }

    /// <summary>
    /// Per name holding any of our values: DELETE of the set exactly as read (TTL and every value), plus - when others'
    /// values are there too - CREATE of those with the same TTL. Names without our values get nothing.
    /// </summary>
    public static IReadOnlyList<ResourceRecordSetChange> CleanUp(IEnumerable<ResourceRecordSet> current, IEnumerable<TxtRecordValue> ours)
    {
        var sets = IndexTxtSets(current);
        var changes = new List<ResourceRecordSetChange>();
        foreach (var (name, values) in GroupByName(ours))
        {
            if (!sets.TryGetValue(name, out var existing))
            {
                continue;
            }

            var ourValues = values.ToHashSet(StringComparer.Ordinal);
            var remaining = existing.Values.Where(v => !ourValues.Contains(Unquote(v))).ToList();
            if (remaining.Count == existing.Values.Count)
            {
                continue;
            }

            changes.AddRange(remaining.Count == 0
                ? [new ResourceRecordSetChange(ChangeAction.Delete, existing)]
                : Swap(existing, existing with { Values = remaining, Ttl = existing.Ttl ?? DefaultTtl }));
        }

        return changes;
    }

    /// <summary>
    /// Splits <paramref name="changes"/> into as few batches as the limits allow, keeping their order; one batch
    /// when they fit. A DELETE followed by a CREATE of the same set (a swap) always stays in one batch, since only
    /// the batch makes the pair atomic. A single change (or swap) over a limit gets its own batch (Route53 will reject
    /// it, loudly).
    /// </summary>
    public static IReadOnlyList<ChangeBatch> SplitIntoBatches(
        IReadOnlyList<ResourceRecordSetChange> changes, Route53ChangeLimits? limits = null, string? comment = null)
    {
        limits ??= Route53ChangeLimits.Default;
        var batches = new List<ChangeBatch>();
        var batch = new List<ResourceRecordSetChange>();
        long changeCount = 0, recordCount = 0, characterCount = 0;
        for (var i = 0; i < changes.Count; i++)
        {
            IReadOnlyList<ResourceRecordSetChange> unit = IsSwap(changes, i) ? [changes[i], changes[++i]] : [changes[i]];
            var weight = unit.Sum(c => c.Action == ChangeAction.Upsert ? 2 : 1);
            var records = unit.Sum(c => (c.Action == ChangeAction.Upsert ? 2L : 1L) * c.RecordSet.Values.Count);
            var characters = unit.Sum(c => (c.Action == ChangeAction.Upsert ? 2L : 1L) * c.RecordSet.Values.Sum(v => (long)v.Length));
            if (batch.Count > 0
                && (changeCount + weight > limits.MaxChanges
                    || recordCount + records > limits.MaxRecords
                    || characterCount + characters > limits.MaxValueCharacters))
            {
                batches.Add(new ChangeBatch(batch, comment));
                batch = [];
                changeCount = recordCount = characterCount = 0;
            }

            batch.AddRange(unit);
            changeCount += weight;
            recordCount += records;
            characterCount += characters;
        }

        if (batch.Count > 0)
        {
            batches.Add(new ChangeBatch(batch, comment));
        }

        return batches;
    }

    /// <summary>The TXT wire form: quoted, <c>"</c> and <c>\</c> escaped, split into strings of at most 255 characters.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "\"\"";
        }

        var text = new StringBuilder(value.Length + 8);
        for (var start = 0; start < value.Length; start += MaxStringLength)
        {
            if (start > 0)
            {
                text.Append(' ');
            }

            text.Append('"');
            foreach (var c in value.AsSpan(start, Math.Min(MaxStringLength, value.Length - start)))
            {
                if (c is '"' or '\\')
                {
                    text.Append('\\');
                }

                text.Append(c);
            }

            text.Append('"');
        }

        return text.ToString();
    }

    /// <summary>
    /// The plain value of a TXT wire value: the character-strings concatenated, <c>\"</c>, <c>\\</c> and octal
    /// <c>\ooo</c> escapes decoded. An unquoted token (not something Route53 returns) is taken as it stands.
    /// </summary>
    public static string Unquote(string wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var text = new StringBuilder(wire.Length);
        var i = 0;
        while (i < wire.Length)
        {
            if (char.IsWhiteSpace(wire[i]))
            {
                i++;
                continue;
            }

            var quoted = wire[i] == '"';
            if (quoted)
            {
                i++;
            }

            while (i < wire.Length && (quoted ? wire[i] != '"' : !char.IsWhiteSpace(wire[i])))
            {
                if (wire[i] == '\\' && i + 3 < wire.Length && IsOctal(wire[i + 1]) && IsOctal(wire[i + 2]) && IsOctal(wire[i + 3]))
                {
                    text.Append((char)Convert.ToInt32(wire.Substring(i + 1, 3), 8));
                    i += 4;
                }
                else if (wire[i] == '\\' && i + 1 < wire.Length)
                {
                    text.Append(wire[i + 1]);
                    i += 2;
                }
                else
                {
                    text.Append(wire[i]);
                    i++;
                }
            }

            if (quoted)
            {
                i++; // the closing quote
            }
        }

        return text.ToString();
    }


    private static Dictionary<string, ResourceRecordSet> IndexTxtSets(IEnumerable<ResourceRecordSet> current)
    {
        var sets = new Dictionary<string, ResourceRecordSet>(StringComparer.Ordinal);
        foreach (var set in current)
        {
            if (string.Equals(set.Type, Txt, StringComparison.OrdinalIgnoreCase))
            {
                sets[DnsName.Normalize(set.Name)] = set;
            }
        }

        return sets;
    }

    private static List<(string Name, List<string> Values)> GroupByName(IEnumerable<TxtRecordValue> ours) =>
        [.. ours.GroupBy(v => DnsName.Normalize(v.Name), StringComparer.Ordinal)
            .Select(g => (g.Key, g.Select(v => v.Value).Distinct(StringComparer.Ordinal).ToList()))];

    /// <summary>The compare-and-swap of one set: it must still be exactly <paramref name="current"/> for the batch to apply.</summary>
    private static ResourceRecordSetChange[] Swap(ResourceRecordSet current, ResourceRecordSet replacement) =>
        [new(ChangeAction.Delete, current), new(ChangeAction.Create, replacement)];

    private static bool IsSwap(IReadOnlyList<ResourceRecordSetChange> changes, int i) =>
        i + 1 < changes.Count
        && changes[i].Action == ChangeAction.Delete
        && changes[i + 1].Action == ChangeAction.Create
        && string.Equals(DnsName.Normalize(changes[i].RecordSet.Name), DnsName.Normalize(changes[i + 1].RecordSet.Name), StringComparison.Ordinal)
        && string.Equals(changes[i].RecordSet.Type, changes[i + 1].RecordSet.Type, StringComparison.OrdinalIgnoreCase);

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

}
