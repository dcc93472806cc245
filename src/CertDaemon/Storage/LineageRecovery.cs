namespace CertDaemon.Storage;

/// <summary>The result of recovering one certificate lineage.</summary>
/// <param name="Name">The lineage.</param>
/// <param name="Outcome">What was done.</param>
/// <param name="LiveVersion">The version live afterwards, or null when none is.</param>
/// <param name="Removed">Paths of the leftovers removed.</param>
internal sealed record LineageRecovery(string Name, RecoveryOutcome Outcome, int? LiveVersion, IReadOnlyList<string> Removed);
