namespace CertDaemon.Storage;

/// <summary>What <see cref="CertificateStore.RepairLiveAsync"/> did.</summary>
/// <param name="Repaired">Each repair, one line (empty: nothing needed or nothing could be done).</param>
/// <param name="StillWrong">What is still wrong afterwards (reported, not repaired), one line each.</param>
internal sealed record LiveRepairResult(IReadOnlyList<string> Repaired, IReadOnlyList<string> StillWrong);
