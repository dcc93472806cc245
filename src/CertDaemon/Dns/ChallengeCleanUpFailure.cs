namespace CertDaemon.Dns;

/// <summary>One zone (or name, when its zone could not be determined) whose challenge values could not be removed.</summary>
internal sealed record ChallengeCleanUpFailure(string Zone, IReadOnlyList<string> Names, Exception Error);
