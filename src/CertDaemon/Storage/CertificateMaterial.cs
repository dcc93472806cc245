namespace CertDaemon.Storage;

/// <summary>
/// One certificate set as the CA delivered it: the leaf certificate, the chain (intermediates, leaf's issuer
/// first) and the private key, all PEM. <see cref="FullChainPem"/> is derived, so it always equals cert + chain.
/// </summary>
internal sealed record CertificateMaterial(string CertificatePem, string ChainPem, string PrivateKeyPem)
{
    /// <summary>The leaf certificate PEM, ending with exactly one newline (what <c>certN.pem</c> holds).</summary>
    public string NormalizedCertificatePem => Normalize(CertificatePem);

    /// <summary>The chain PEM, ending with exactly one newline (what <c>chainN.pem</c> holds).</summary>
    public string NormalizedChainPem => Normalize(ChainPem);

    /// <summary>The private key PEM, ending with exactly one newline (what <c>privkeyN.pem</c> holds).</summary>
    public string NormalizedPrivateKeyPem => Normalize(PrivateKeyPem);

    /// <summary>cert + chain, what nginx's <c>ssl_certificate</c> points at (<c>fullchainN.pem</c>).</summary>
    public string FullChainPem => NormalizedCertificatePem + NormalizedChainPem;

    // Never print the key: records generate ToString from every property.
    public override string ToString() => "CertificateMaterial { private key redacted }";

    private static string Normalize(string pem) => pem.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";
}
