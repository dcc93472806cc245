namespace CertDaemon.Dns;

/// <summary>
/// The run that published a challenge value: a random id and the lock file that run holds for as long as it lives
/// (the certificate's run lock). A value is a leftover only when its owner is dead (<see cref="ChallengeRunRegistry"/>);
/// a live owner's value is never removed by anyone else.
/// </summary>
/// <param name="RunId">Unique per run (per issuance attempt of one certificate).</param>
/// <param name="LockPath">The lock file the run holds exclusively (<c>flock</c>) until it ends.</param>
internal sealed record ChallengeRunOwner(string RunId, string LockPath);
