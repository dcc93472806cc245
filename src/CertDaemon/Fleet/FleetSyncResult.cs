using CertDaemon.Renewal;

namespace CertDaemon.Fleet;

/// <summary>What syncing one certificate from the fleet store did.</summary>
internal abstract record FleetSyncResult
{
    private FleetSyncResult()
    {
    }

    /// <summary>The fleet's version was newer: downloaded, verified, committed and deployed (see the outcome's deployments).</summary>
    public sealed record Installed(FleetManifest Manifest, LifecycleOutcome Outcome) : FleetSyncResult;

    /// <summary>The local live version is the fleet's (or newer): nothing to do.</summary>
    public sealed record Current(FleetManifest? Manifest) : FleetSyncResult;

    /// <summary>The fleet has no version of this certificate yet.</summary>
    public sealed record Missing : FleetSyncResult;

    /// <summary>The fleet's version does not fit this instance (other names or key type, expired): not installed.</summary>
    public sealed record Skipped(FleetManifest Manifest, string Why) : FleetSyncResult;
}
