namespace CertDaemon.Deployment;

/// <summary>
/// A place a certificate is deployed to after a new version was committed to the live directory (nginx, an ACM region).
/// </summary>
/// <remarks>
/// <para>Obligations of every implementation:</para>
/// <list type="bullet">
/// <item>
/// <b>Idempotent.</b> Deploying the version a target already holds is harmless. A target that failed is retried on
/// the next check with the same <see cref="DeploymentContext"/> and without issuing again, so
/// <see cref="DeployAsync"/> must not depend on having run before or on running only once.
/// </item>
/// <item>
/// <b>Expected failures are results.</b> A failed configuration test, a refused reload, an unreachable server, an API
/// error are reported as <see cref="DeploymentResult.Failed"/> (or as warnings on
/// <see cref="DeploymentResult.Succeeded"/>), never thrown. Only cancellation and programming errors throw.
/// </item>
/// <item>
/// <b>Never activate untested.</b> A target with a configuration test runs it before activating anything; when
/// the test fails the target keeps what it had, and the deployer may ask for the live links to be switched back
/// (<see cref="LiveVersionRollback"/>). After such a rollback the caller switches forward again before retrying.
/// </item>
/// <item>
/// <b>Checks after activation only warn.</b> What a server serves after a successful activation may legitimately
/// differ (it may be configured to serve other files); that is a <see cref="DeploymentWarning"/>, never a rollback.
/// </item>
/// <item>
/// <b>Honours cancellation</b> between steps and inside every wait; a child process is killed when cancelled.
/// </item>
/// </list>
/// </remarks>
internal interface ICertificateDeployer
{
    /// <summary>The target's name in results, logs and status, such as <c>nginx</c>.</summary>
    string Target { get; }

    /// <summary>
    /// Whether a certificate deployed to <paramref name="scope"/> belongs on this target. Pure: it depends on the
    /// scope and on how this target was configured, never on what the target holds now.
    /// </summary>
    bool AppliesTo(DeploymentScope scope);

    /// <summary>Makes the target use the version described by <paramref name="context"/> and reports what it now holds.</summary>
    Task<DeploymentResult> DeployAsync(DeploymentContext context, CancellationToken cancellationToken);
}
