namespace CertDaemon.Deployment.Acm;

/// <summary>Bounds of <see cref="AcmDeployer"/>'s own retries (the AWS layer below retries throttling and server faults).</summary>
internal sealed record AcmDeployerOptions
{
    /// <summary>
    /// Attempts at importing a <b>new</b> certificate when an attempt ends uncertain (server fault, dropped connection,
    /// timeout). Between attempts the deployer looks for the certificate by tag, so a lost answer never leaves a
    /// duplicate behind. The default is 3.
    /// </summary>
    public int NewImportAttempts { get; init; } = 3;

    /// <summary>Wait before looking for a possibly imported certificate (ACM lists new certificates after a moment). The default is 2 s.</summary>
    public TimeSpan UncertainImportDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Largest page asked of ListCertificates (ACM's maximum is 1000). The default is 1000.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Allowed difference between the leaf's notAfter and DescribeCertificate's NotAfter. The default is 1 s.</summary>
    public TimeSpan NotAfterTolerance { get; init; } = TimeSpan.FromSeconds(1);

    public static AcmDeployerOptions Default { get; } = new();
}
