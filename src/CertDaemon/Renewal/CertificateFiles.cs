namespace CertDaemon.Renewal;

/// <summary>The live files of a certificate (links into <c>archive/</c>), as <c>certbot certificates</c> lists them.</summary>
internal sealed record CertificateFiles(string Certificate, string Chain, string FullChain, string PrivateKey)
{
    public static CertificateFiles In(string liveDirectory) => new(
        Path.Combine(liveDirectory, "cert.pem"),
        Path.Combine(liveDirectory, "chain.pem"),
        Path.Combine(liveDirectory, "fullchain.pem"),
        Path.Combine(liveDirectory, "privkey.pem"));
}
