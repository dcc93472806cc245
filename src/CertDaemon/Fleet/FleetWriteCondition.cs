namespace CertDaemon.Fleet;

/// <summary>When a write may happen: always, only if the key is absent (<c>If-None-Match: *</c>), or only if it still has an ETag (<c>If-Match</c>).</summary>
internal sealed record FleetWriteCondition
{
    private FleetWriteCondition(bool mustBeAbsent, string? ifMatch)
    {
        MustBeAbsent = mustBeAbsent;
        IfMatch = ifMatch;
    }

    /// <summary>No condition (immutable objects under a fresh key).</summary>
    public static FleetWriteCondition None { get; } = new(false, null);

    /// <summary><c>If-None-Match: *</c>: create, never replace.</summary>
    public static FleetWriteCondition Absent { get; } = new(true, null);

    public bool MustBeAbsent { get; }

    public string? IfMatch { get; }

    /// <summary><c>If-Match: ETAG</c>: replace exactly the content that was read.</summary>
    public static FleetWriteCondition Matches(string etag)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return new FleetWriteCondition(false, etag);
    }

    public override string ToString() => MustBeAbsent ? "If-None-Match: *" : IfMatch is { } etag ? "If-Match: " + etag : "unconditional";
}
