using CertDaemon.Kernel;

namespace CertDaemon.Renewal;

/// <summary>What the current certificate is, as read from the live certificate.</summary>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="Domains">The DNS names it covers (ASCII, any order).</param>
/// <param name="KeyType">Its key type.</param>
internal sealed record CertificateFacts(DateTimeOffset NotBefore, DateTimeOffset NotAfter, IReadOnlyList<string> Domains, KeyType KeyType)
{
    /// <summary><c>NotAfter - NotBefore</c>: what every fraction in <see cref="RenewalPlanner"/> is taken of.</summary>
    public TimeSpan Lifetime => NotAfter - NotBefore;
}
