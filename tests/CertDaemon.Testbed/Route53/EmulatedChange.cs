namespace CertDaemon.Testbed.Route53;

/// <summary>
/// A committed change batch. It is INSYNC once <see cref="Published"/> completes: its timer fired after the
/// in-sync delay and the DNS publisher pushed <see cref="DnsRecords"/> (or there was nowhere to push them).
/// </summary>
internal sealed class EmulatedChange(string id, long sequence, DateTimeOffset submittedAt, DateTimeOffset dueAt, string? comment,
    IReadOnlyList<(string Name, string Type, Route53RecordSet? RecordSet)> dnsRecords)
{
    public string Id { get; } = id;

    /// <summary>Commit order: the publisher never lets an older snapshot overwrite a newer one.</summary>
    public long Sequence { get; } = sequence;

    public DateTimeOffset SubmittedAt { get; } = submittedAt;

    public DateTimeOffset DueAt { get; } = dueAt;

    public string? Comment { get; } = comment;

    /// <summary>State after this batch of every TXT/CNAME record set it touched (null: deleted).</summary>
    public IReadOnlyList<(string Name, string Type, Route53RecordSet? RecordSet)> DnsRecords { get; } = dnsRecords;

    public TaskCompletionSource Published { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ITimer? Timer { get; set; }

    /// <summary>GetChange answers still PENDING before this change turns INSYNC; null: the change follows its timer. Guarded by the emulator's lock.</summary>
    public int? PendingPollsLeft { get; set; }
}
