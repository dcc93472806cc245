namespace CertDaemon.Deployment;

/// <summary>
/// Where a certificate's settings say it is deployed, independent of any version: what
/// <see cref="ICertificateDeployer.AppliesTo"/> decides on.
/// </summary>
/// <param name="Nginx">Whether nginx serves it (the certificate's <c>Nginx</c> setting).</param>
/// <param name="AcmRegions">The ACM regions it is imported into; empty when none (also for a certificate ACM itself
/// issues and exports, which must never be imported as a copy).</param>
internal sealed record DeploymentScope(bool Nginx, IReadOnlyList<string> AcmRegions);
