using System.Text.Json.Serialization;

namespace CertDaemon.Dns;

/// <summary>
/// One value the solver is about to publish (or has published and not yet removed), with everything needed to
/// remove it later without DNS lookups: the hosted zone and the final (CNAME-followed) name it was written at.
/// </summary>
/// <param name="HostedZoneId">The Route53 hosted zone id, without <c>/hostedzone/</c>.</param>
/// <param name="ZoneName">The zone's name, normalised.</param>
/// <param name="RecordName">The challenge name the CA asks for, normalised (before CNAME delegation).</param>
/// <param name="TargetName">Where the TXT value is written, normalised (<see cref="RecordName"/> unless delegated by CNAME).</param>
/// <param name="Value">The plain TXT value.</param>
/// <param name="RecordedAt">When the entry was written.</param>
/// <param name="Owner">The run that published it; null in journals written before runs were recorded (such an entry
/// counts as left by a dead run).</param>
internal sealed record ChallengeJournalEntry(
    string HostedZoneId, string ZoneName, string RecordName, string TargetName, string Value, DateTimeOffset RecordedAt,
    ChallengeRunOwner? Owner = null)
{
    /// <summary>What identifies the published value: two entries with the same key are the same record value.</summary>
    [JsonIgnore]
    public (string HostedZoneId, string TargetName, string Value) Key => (HostedZoneId, TargetName, Value);

    /// <summary>What identifies the entry: one value of one run (two runs may publish the same value).</summary>
    [JsonIgnore]
    public (string HostedZoneId, string TargetName, string Value, string? RunId) EntryKey => (HostedZoneId, TargetName, Value, Owner?.RunId);
}
