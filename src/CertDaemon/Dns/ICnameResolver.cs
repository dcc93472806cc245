namespace CertDaemon.Dns;

/// <summary>
/// Follows CNAME delegation of a challenge name (<c>_acme-challenge.example.com CNAME _acme-challenge.example.com.validation.org</c>):
/// the CA follows it, so the TXT value must be written at the end of the chain.
/// </summary>
/// <remarks>
/// Contract: returns the normalised final name of the chain (see <see cref="DnsName"/>), or the normalised input
/// itself when it is not a CNAME (including when it does not exist). The chain is followed to a bounded depth;
/// a loop, a too long chain or a resolver that cannot answer throws <see cref="CnameResolutionException"/> -
/// never a guess, since writing the value at the wrong name only fails later at the CA.
/// </remarks>
internal interface ICnameResolver
{
    Task<string> ResolveAsync(string name, CancellationToken cancellationToken);
}
