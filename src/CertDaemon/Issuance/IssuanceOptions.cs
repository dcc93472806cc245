namespace CertDaemon.Issuance;

/// <summary>Bounds of one issuance; every wait ends.</summary>
internal sealed record IssuanceOptions
{
    /// <summary>How long the CA may take to validate each authorization. The default value is 5 minutes.</summary>
    public TimeSpan AuthorizationTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the CA may take to become ready and to issue after finalize. The default value is 5 minutes.</summary>
    public TimeSpan OrderTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long challenge clean-up may run, even after the issuance itself was cancelled (SIGTERM): records must not
    /// be left behind, but shutdown must stay prompt. The default value is 30 seconds.
    /// </summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
