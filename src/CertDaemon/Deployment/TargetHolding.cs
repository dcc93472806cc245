namespace CertDaemon.Deployment;

/// <summary>What a deploy target holds after an attempt, as far as the deployer could tell (for <c>certdaemon status</c>).</summary>
/// <param name="Serial">
/// The serial the target is known to hold, lower-case hex; <see langword="null"/> when it is not known (for example
/// nginx was not reloaded and keeps serving whatever it loaded before, or the served certificate was not checked).
/// </param>
/// <param name="Verified">Whether <paramref name="Serial"/> was observed (a TLS handshake, an API read) rather than presumed.</param>
/// <param name="Description">One line for people, such as <c>nginx on 127.0.0.1:443 serves 04ab.. for example.com</c>.</param>
internal sealed record TargetHolding(string? Serial, bool Verified, string Description)
{
    /// <summary>
    /// The ACM certificate ARN the target holds (ACM targets only; null elsewhere or when none exists yet). The
    /// lifecycle keeps it in <see cref="Storage.TargetState.Arn"/> so status can show it.
    /// </summary>
    public string? Arn { get; init; }

    /// <summary>How many AWS resources use the certificate (ACM's <c>InUseBy</c> count); null when not known or not ACM.</summary>
    public int? InUseCount { get; init; }

    /// <summary>The not-after of what the target holds, when known: a target running an older version runs out on its own date.</summary>
    public DateTimeOffset? NotAfter { get; init; }

    public static TargetHolding Unknown(string description) => new(null, false, description);
}
