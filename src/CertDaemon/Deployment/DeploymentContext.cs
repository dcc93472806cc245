using CertDaemon.Configuration;
using CertDaemon.Kernel;

namespace CertDaemon.Deployment;

/// <summary>
/// What a deploy target needs to know about the version that was just made live: the certificate's name and
/// names, the serial of the new leaf, and where the live files are (certbot's layout, so an nginx configuration
/// written for certbot keeps working).
/// </summary>
/// <param name="CertificateName">The configured name: the directory under <c>live/</c> and <c>archive/</c>.</param>
/// <param name="Domains">The certificate's DNS names in configured order (wildcards as <c>*.example.com</c>).</param>
/// <param name="Serial">The new leaf's serial number, lower-case hex as <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2.SerialNumber"/> spells it.</param>
/// <param name="LineageDirectory">The live directory, <c>CertificateDirectory/live/NAME</c> (certbot's <c>RENEWED_LINEAGE</c>).</param>
internal sealed record DeploymentContext(string CertificateName, IReadOnlyList<string> Domains, string Serial, string LineageDirectory)
{
    /// <summary>The configured key type, for messages (ACM compares the key actually in the files); null when not known.</summary>
    public KeyType? KeyType { get; init; }

    /// <summary>
    /// The certificate's ACM settings (regions and tags), for <see cref="CertDaemon.Deployment.Acm.AcmDeployer"/>; null when the certificate
    /// is not imported into ACM. An ACM deployer is only called for certificates whose <see cref="AcmOptions.Regions"/>
    /// name its region.
    /// </summary>
    public AcmOptions? Acm { get; init; }

    /// <summary>
    /// The archived files of the version being deployed (<c>archive/NAME/*N.pem</c>), which never change. Targets
    /// that copy the certificate elsewhere (ACM) read these, so what another target did to the live links (nginx
    /// switching them back after a failed configuration test) cannot change what they import. Null: read the live files.
    /// </summary>
    public Storage.StoredVersion? Version { get; init; }

    /// <summary><c>live/NAME/cert.pem</c>: the leaf alone.</summary>
    public string CertificatePath => Path.Combine(LineageDirectory, "cert.pem");

    /// <summary><c>live/NAME/chain.pem</c>: the intermediates without the leaf.</summary>
    public string ChainPath => Path.Combine(LineageDirectory, "chain.pem");

    /// <summary><c>live/NAME/fullchain.pem</c>: leaf then intermediates (nginx's <c>ssl_certificate</c>).</summary>
    public string FullChainPath => Path.Combine(LineageDirectory, "fullchain.pem");

    /// <summary><c>live/NAME/privkey.pem</c>: the private key (nginx's <c>ssl_certificate_key</c>).</summary>
    public string PrivateKeyPath => Path.Combine(LineageDirectory, "privkey.pem");
}
