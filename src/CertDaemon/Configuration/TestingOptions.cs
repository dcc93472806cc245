namespace CertDaemon.Configuration;

/// <summary>
/// Section <c>Testing</c>: switches that exist only so test setups (moto, a local CA) can run the real program.
/// <c>config check</c> warns about every one that is set. Never set them in production.
/// </summary>
internal sealed record TestingOptions
{
    /// <summary>
    /// Accept <c>acm-export</c> certificates whose chain does not lead to the system trust store (moto exports a
    /// self-signed leaf). Every other check (key, key type, names, validity) still applies. The default value is
    /// <see langword="false"/>.
    /// </summary>
    public bool AcmExportSkipChainTrust { get; init; }
}
