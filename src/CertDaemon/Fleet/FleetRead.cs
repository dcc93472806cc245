namespace CertDaemon.Fleet;

/// <summary>What a read of one fleet object found.</summary>
internal abstract record FleetRead
{
    private FleetRead()
    {
    }

    /// <summary>The object's content and its ETag (quoted, as S3 returns it).</summary>
    public sealed record Found(byte[] Content, string ETag) : FleetRead;

    /// <summary>The object still has the ETag the reader already holds.</summary>
    public sealed record NotModified : FleetRead;

    /// <summary>No such object.</summary>
    public sealed record Missing : FleetRead;
}
