namespace CertDaemon.Deployment;

/// <summary>
/// Something an operator should look at after a deployment that otherwise went through: the target took the
/// new files, but what it does with them is not what was expected. Shown by <c>certdaemon status</c>.
/// </summary>
/// <param name="Code">A stable, machine-readable code such as <see cref="ServedCertificateMismatch"/>.</param>
/// <param name="Message">One sentence for the operator: what was seen and what to check.</param>
internal sealed record DeploymentWarning(string Code, string Message)
{
    /// <summary>The server answered a name with a certificate other than the one just deployed.</summary>
    public const string ServedCertificateMismatch = "served-certificate-mismatch";

    /// <summary>What the server serves could not be checked (connection refused, handshake failed).</summary>
    public const string ServedCertificateUnverified = "served-certificate-unverified";
}
