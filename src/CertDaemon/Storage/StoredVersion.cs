namespace CertDaemon.Storage;

/// <summary>
/// One complete version N of a certificate in <c>archive/NAME/</c>: absolute paths of its four files and what
/// its certificate says.
/// </summary>
/// <param name="Name">The lineage name.</param>
/// <param name="Version">N in <c>certN.pem</c>.</param>
/// <param name="IsCertbotVersion">Written by certbot before CertDaemon adopted the lineage; never pruned.</param>
/// <param name="CertificatePath">Absolute path of <c>archive/NAME/certN.pem</c>.</param>
/// <param name="ChainPath">Absolute path of <c>archive/NAME/chainN.pem</c>.</param>
/// <param name="FullChainPath">Absolute path of <c>archive/NAME/fullchainN.pem</c>.</param>
/// <param name="PrivateKeyPath">Absolute path of <c>archive/NAME/privkeyN.pem</c> (mode 0600).</param>
/// <param name="Serial">The certificate's serial number, hex, upper case, no separators.</param>
/// <param name="NotAfter">The certificate's expiry.</param>
internal sealed record StoredVersion(
    string Name,
    int Version,
    bool IsCertbotVersion,
    string CertificatePath,
    string ChainPath,
    string FullChainPath,
    string PrivateKeyPath,
    string Serial,
    DateTimeOffset NotAfter);
