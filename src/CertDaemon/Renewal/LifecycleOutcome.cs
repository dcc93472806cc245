using CertDaemon.Deployment;
using CertDaemon.Issuance;
using CertDaemon.Storage;

namespace CertDaemon.Renewal;

/// <summary>What one issue-and-deploy run did: the certificate stored (if any) and each target's result.</summary>
internal sealed record LifecycleOutcome(
    string CertificateName,
    IssuedCertificate? Issued,
    StoredVersion? Stored,
    IReadOnlyList<DeploymentResult> Deployments,
    DeployHooksResult? Hooks)
{
    public IEnumerable<DeploymentResult.Failed> FailedDeployments => Deployments.OfType<DeploymentResult.Failed>();

    public bool Succeeded => !FailedDeployments.Any();
}
