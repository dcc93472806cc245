namespace CertDaemon.Deployment;

/// <summary>
/// The outcome of one <see cref="ICertificateDeployer.DeployAsync"/> call: <see cref="Succeeded"/> (possibly with
/// <see cref="Succeeded.Warnings"/>) or <see cref="Failed"/>. Both say what the target now holds.
/// </summary>
internal abstract record DeploymentResult
{
    private DeploymentResult()
    {
    }

    /// <summary>The target's name, such as <c>nginx</c> or <c>acm:us-east-1</c>.</summary>
    public required string Target { get; init; }

    public required string CertificateName { get; init; }

    /// <summary>The serial that was being deployed, lower-case hex.</summary>
    public required string Serial { get; init; }

    /// <summary>What the target holds after this attempt.</summary>
    public required TargetHolding Holding { get; init; }

    /// <summary>One paragraph for logs, <c>certdaemon status</c> and the CLI's error output.</summary>
    public required string Message { get; init; }

    /// <summary>The target took the new version. Deploy hooks run after this outcome.</summary>
    public sealed record Succeeded : DeploymentResult
    {
        /// <summary>Things to look at although the deployment went through (for example a served-certificate mismatch). Empty when all is well.</summary>
        public IReadOnlyList<DeploymentWarning> Warnings { get; init; } = [];
    }

    /// <summary>The target did not take the new version; the next check retries it without issuing again.</summary>
    public sealed record Failed : DeploymentResult
    {
        public required DeploymentStage Stage { get; init; }

        /// <summary>The tool's own words (for nginx, the output of <c>nginx -t</c> or of the reload command), bounded in size; empty when there is none.</summary>
        public string ToolOutput { get; init; } = "";

        /// <summary>What the rollback did, when the deployer asked for one; <see langword="null"/> when it did not.</summary>
        public LiveRollbackResult? Rollback { get; init; }
    }
}
