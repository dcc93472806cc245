using CertDaemon.Issuance;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>
/// A renewal failed at more than one CA of the chain. The message names each CA and its error; the inner exception is
/// the last one (a rate limit's Retry-After there is honoured by the schedule).
/// </summary>
internal sealed class ChainExhaustedException(string certificateName, IReadOnlyList<(AcmeCertificateAuthority Authority, Exception Error)> attempts)
    : Exception(
        $"certificate '{certificateName}' could not be issued by any CA: "
            + string.Join("; ", attempts.Select(a => $"{a.Authority}: {a.Error.Message}")),
        attempts[^1].Error)
{
    public IReadOnlyList<(AcmeCertificateAuthority Authority, Exception Error)> Attempts { get; } = attempts;
}
