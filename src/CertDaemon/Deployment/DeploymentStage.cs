namespace CertDaemon.Deployment;

/// <summary>Where a deployment stopped; lets status and retries say what is left to do.</summary>
internal enum DeploymentStage
{
    /// <summary>The target's configuration test (<c>nginx -t</c>) failed, timed out or could not run; the target was not touched.</summary>
    ConfigurationTest,

    /// <summary>The configuration test passed but the reload (or upload) failed; the target's state is uncertain.</summary>
    Reload,

    /// <summary>Anything else the target could not do (an API refused the upload, a file was unreadable).</summary>
    Other,
}
