namespace CertDaemon.Dns;

/// <summary>
/// Removing challenge values failed for some zones (the others were cleaned). The values that could not be removed
/// stay in the journal, so the next run's recovery tries again. <see cref="Exception.InnerException"/> is the first
/// failure; <see cref="Failures"/> has each.
/// </summary>
internal sealed class ChallengeCleanUpException : Exception
{
    public ChallengeCleanUpException(IReadOnlyList<ChallengeCleanUpFailure> failures)
        : base("could not remove challenge TXT values: "
            + string.Join("; ", failures.Select(f => $"{f.Zone} ({string.Join(", ", f.Names)}): {f.Error.Message}")),
            failures.Count > 0 ? failures[0].Error : null)
    {
        Failures = failures;
    }

    public IReadOnlyList<ChallengeCleanUpFailure> Failures { get; }
}
