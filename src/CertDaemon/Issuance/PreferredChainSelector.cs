using System.Security.Cryptography.X509Certificates;

namespace CertDaemon.Issuance;

/// <summary>
/// Chooses among the CA's default and alternate chains (RFC 8555 7.4.2, <c>Link: rel="alternate"</c>) by issuer
/// name, as certbot's <c>--preferred-chain</c> does: the chain whose topmost issuer's common name matches wins,
/// then one that names it anywhere above the leaf; null when none does (the caller falls back to the default, 0).
/// </summary>
internal static class PreferredChainSelector
{
    public static int? FindPreferred(IReadOnlyList<IReadOnlyList<X509Certificate2>> chains, string preferredIssuer)
    {

        for (var i = 0; i < chains.Count; i++)
        {
            var chain = chains[i];
            if (chain.Count > 0 && Matches(chain[^1].IssuerName, preferredIssuer))
            {
                return i;
            }
        }

        for (var i = 0; i < chains.Count; i++)
        {
            if (chains[i].Skip(1).Any(c => Matches(c.SubjectName, preferredIssuer) || Matches(c.IssuerName, preferredIssuer)))
            {
                return i;
            }
        }

        return null;
    }

    private static bool Matches(X500DistinguishedName name, string preferred) =>
        string.Equals(name.GetSimpleName(), preferred.Trim(), StringComparison.OrdinalIgnoreCase) ||
        string.Equals(name.Name, preferred.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string GetSimpleName(this X500DistinguishedName name)
    {
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == "2.5.4.3")
            {
                return rdn.GetSingleElementValue() ?? string.Empty;
            }
        }

        return string.Empty;
    }
}
