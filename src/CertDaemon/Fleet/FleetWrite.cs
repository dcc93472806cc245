namespace CertDaemon.Fleet;

/// <summary>What a (conditional) write of one fleet object did.</summary>
internal abstract record FleetWrite
{
    private FleetWrite()
    {
    }

    /// <summary>Stored; <paramref name="ETag"/> names the new content.</summary>
    public sealed record Written(string ETag) : FleetWrite;

    /// <summary>The condition did not hold (someone else wrote first): nothing was stored.</summary>
    public sealed record ConditionFailed : FleetWrite;
}
