namespace CertDaemon.Fleet;

/// <summary>
/// The fleet's shared object store (S3): whole objects read and written by key, with the conditional requests that
/// make a compare-and-swap possible. Keys are relative to the configured prefix.
/// </summary>
/// <remarks>
/// Contract:
/// <list type="bullet">
/// <item>A conditional write is atomic with its check: of two writers presenting the same ETag (or both creating),
/// at most one gets <see cref="FleetWrite.Written"/>; the other gets <see cref="FleetWrite.ConditionFailed"/> and
/// nothing of it is stored. Failure to reach the store, or a refusal (access denied, KMS), is
/// <see cref="FleetStoreException"/>, never a <see cref="FleetWrite.ConditionFailed"/>.</item>
/// <item>An ETag names one stored content of one key: a new write gives a new ETag.</item>
/// <item><c>secret</c> objects (private keys) are encrypted with the configured KMS key (SSE-KMS) when there is one.</item>
/// <item>Safe to use from several threads.</item>
/// </list>
/// </remarks>
internal interface IFleetObjectStore
{
    /// <summary>Where the store lives, for messages (e.g. <c>s3://bucket/prefix/</c>).</summary>
    string Location { get; }

    /// <summary>Reads <paramref name="key"/>; with <paramref name="ifNoneMatch"/>, answers <see cref="FleetRead.NotModified"/> when it is still that ETag.</summary>
    Task<FleetRead> GetAsync(string key, string? ifNoneMatch, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="content"/> to <paramref name="key"/> when <paramref name="condition"/> holds.</summary>
    Task<FleetWrite> PutAsync(string key, ReadOnlyMemory<byte> content, FleetWriteCondition condition, bool secret, CancellationToken cancellationToken);

    /// <summary>Deletes <paramref name="key"/> (no error when it is absent).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
