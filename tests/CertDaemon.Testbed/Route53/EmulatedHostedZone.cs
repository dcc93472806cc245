using System.Collections.Immutable;

namespace CertDaemon.Testbed.Route53;

/// <summary>A hosted zone's state. Record sets are an immutable map swapped whole, which makes a change batch atomic.</summary>
internal sealed class EmulatedHostedZone(string id, string name, bool isPrivate, IReadOnlyList<string> nameServers, string callerReference)
{
    public string Id { get; } = id;

    /// <summary>Wire form, trailing dot.</summary>
    public string Name { get; } = name;

    public bool IsPrivate { get; } = isPrivate;

    public IReadOnlyList<string> NameServers { get; } = nameServers;

    public string CallerReference { get; } = callerReference;

    public ImmutableSortedDictionary<RecordSetKey, Route53RecordSet> RecordSets { get; set; } =
        ImmutableSortedDictionary<RecordSetKey, Route53RecordSet>.Empty.WithComparers(RecordSetKey.Order);
}
