using CertDaemon.Configuration;
using CertDaemon.Kernel;

namespace CertDaemon.Renewal;

/// <summary>
/// One certificate CertDaemon manages, with global settings and its own overrides already resolved: what the
/// lifecycle needs, in one place. Built from the configuration file or from an ad-hoc certificate's state.
/// </summary>
internal sealed record ManagedCertificate(
    string Name,
    IReadOnlyList<string> Domains,
    KeyType KeyType,
    string? Profile,
    string? HostedZoneId,
    string? RoleArn,
    string? ExternalId,
    bool Nginx,
    AcmOptions? Acm,
    IReadOnlyList<IReadOnlyList<string>> DeployHooks,
    bool AdHoc = false)
{
    /// <summary>
    /// The deploy targets this certificate belongs on, by their <see cref="Deployment.ICertificateDeployer.Target"/>
    /// names (<c>nginx</c>, <c>acm:REGION</c>): what status, metrics and monitoring expect to hold the live version.
    /// </summary>
    public IReadOnlyList<string> TargetNames =>
        [.. Nginx ? [Deployment.Nginx.NginxDeployer.TargetName] : Array.Empty<string>(),
         .. (Acm?.Regions ?? []).Select(AcmTargetName.For)];

    /// <summary>Where the certificate comes from (<see cref="CertificateIssuers"/>); ad-hoc certificates are ACME's. The default value is <c>acme</c>.</summary>
    public string Issuer { get; init; } = CertificateIssuers.Acme;

    public static ManagedCertificate FromOptions(CertDaemonOptions options, CertificateOptions certificate) => new(
        certificate.Name,
        certificate.Domains,
        certificate.KeyType,
        certificate.Profile ?? options.Acme.Profile,
        certificate.Route53?.HostedZoneId ?? options.Route53.HostedZoneId,
        certificate.Route53?.RoleArn ?? options.Route53.RoleArn,
        options.Route53.ExternalId,
        options.Nginx.Enabled && certificate.Nginx,
        certificate.Acm,
        certificate.DeployHooks)
    {
        Issuer = certificate.Issuer,
    };
}
