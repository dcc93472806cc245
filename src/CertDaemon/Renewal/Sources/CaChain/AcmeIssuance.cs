using CertDaemon.Issuance;

namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>A verified certificate and the CA of the chain that issued it (recorded in state; ARI and <c>replaces</c> go to it only).</summary>
internal sealed record AcmeIssuance(IssuedCertificate Issued, AcmeCertificateAuthority Authority);
