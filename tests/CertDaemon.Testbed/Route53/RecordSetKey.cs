namespace CertDaemon.Testbed.Route53;

/// <summary>A record set's identity within a zone (simple routing: name and type), in Route53's listing order.</summary>
internal readonly record struct RecordSetKey(string Name, string Type) : IComparable<RecordSetKey>
{
    public static IComparer<RecordSetKey> Order { get; } = Comparer<RecordSetKey>.Create((a, b) => a.CompareTo(b));

    /// <summary>ListResourceRecordSets order: name by labels from the right, then type.</summary>
    public int CompareTo(RecordSetKey other)
    {
        var byName = Route53DnsName.CompareReversed(Name, other.Name);
        return byName != 0 ? byName : string.CompareOrdinal(Type, other.Type);
    }

    public static bool operator <(RecordSetKey left, RecordSetKey right) => left.CompareTo(right) < 0;

    public static bool operator <=(RecordSetKey left, RecordSetKey right) => left.CompareTo(right) <= 0;

    public static bool operator >(RecordSetKey left, RecordSetKey right) => left.CompareTo(right) > 0;

    public static bool operator >=(RecordSetKey left, RecordSetKey right) => left.CompareTo(right) >= 0;
}
