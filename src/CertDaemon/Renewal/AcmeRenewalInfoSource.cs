using CertDaemon.Acme;
using CertDaemon.Issuance;

namespace CertDaemon.Renewal;

/// <summary>ARI through the process's signed-in ACME client for the certificate's CA directory.</summary>
internal sealed class AcmeRenewalInfoSource(AcmeSessions sessions) : IRenewalInfoSource
{
    public async Task<AriRenewalInfo?> GetAsync(Uri directoryUrl, string ariCertificateId, CancellationToken cancellationToken)
    {
        var client = await sessions.GetClientAsync(directoryUrl, cancellationToken);
        var directory = await client.GetDirectoryAsync(cancellationToken);
        if (directory.RenewalInfo is null)
        {
            return null;
        }

        return await client.GetRenewalInfoAsync(new AriCertificateId(ariCertificateId), cancellationToken);
    }
}
