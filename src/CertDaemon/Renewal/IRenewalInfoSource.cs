using CertDaemon.Acme;

namespace CertDaemon.Renewal;

/// <summary>Where ARI renewal information (RFC 9773) comes from; <see cref="AcmeRenewalInfoSource"/> asks the CA.</summary>
/// <remarks>
/// Contract: returns null when the CA's directory offers no <c>renewalInfo</c> (the lifetime rule applies then);
/// throws on any other failure, which the caller logs and treats like "no window" (ARI never blocks a renewal).
/// </remarks>
internal interface IRenewalInfoSource
{
    Task<AriRenewalInfo?> GetAsync(Uri directoryUrl, string ariCertificateId, CancellationToken cancellationToken);
}
