namespace CertDaemon.Acme;

/// <summary>The CA's directory lacks an optional endpoint the call needs (renewalInfo, keyChange, revokeCert).</summary>
internal sealed class AcmeNotSupportedException(string directoryField, Uri directoryUrl)
    : AcmeException($"the CA at {directoryUrl} does not offer '{directoryField}' in its directory")
{
    /// <summary>The directory member that is missing, e.g. <c>renewalInfo</c>.</summary>
    public string DirectoryField { get; } = directoryField;
}
