namespace CertDaemon.Storage;

/// <summary>
/// What CertDaemon remembers about one certificate between runs (<c>StateDirectory/certificates/NAME.json</c>):
/// the versions it stored, what each deploy target holds, and the last error. Immutable; change it with
/// <c>with</c> expressions through <see cref="CertificateStateStore.UpdateAsync"/>. New properties must be optional
/// so older files keep loading.
/// </summary>
internal sealed record CertificateState
{
    /// <summary>The file format; the default value is 1.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>The certificate (lineage) name.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The domains of an ad-hoc certificate (<c>certdaemon issue -d ...</c>), remembered so it is renewed like a
    /// configured one; empty for certificates from the configuration file.
    /// </summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>The key type (configuration spelling) of an ad-hoc certificate; null for configured ones.</summary>
    public string? KeyType { get; init; }

    /// <summary>Versions stored, oldest first.</summary>
    public IReadOnlyList<CertificateHistoryEntry> History { get; init; } = [];

    /// <summary>Per deploy target (<c>nginx</c>, <c>acm:us-east-1</c>, ...): what it holds and how the last attempt went.</summary>
    public IReadOnlyDictionary<string, TargetState> Targets { get; init; } = new Dictionary<string, TargetState>();

    /// <summary>The certificate most recently issued and committed (live unless a deploy rolled it back); null before the first.</summary>
    public CurrentCertificate? Current { get; init; }

    /// <summary>What the schedule remembers (ARI window, random fraction, failure backoff); null until first planned.</summary>
    public RenewalState? Renewal { get; init; }

    /// <summary>The last failure of issuance or renewal for this certificate, cleared on success.</summary>
    public StateError? LastError { get; init; }

    /// <summary>How the checks of this certificate went (metrics, notifications, <c>status --check</c>); null before the first.</summary>
    public CheckHistory? Checks { get; init; }

    /// <summary>When this state was last saved.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}
