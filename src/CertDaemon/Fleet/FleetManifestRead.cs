namespace CertDaemon.Fleet;

/// <summary>What reading a certificate's manifest found.</summary>
internal abstract record FleetManifestRead
{
    private FleetManifestRead()
    {
    }

    /// <summary>The manifest and the ETag a compare-and-swap must present to replace it.</summary>
    public sealed record Current(FleetManifest Manifest, string ETag) : FleetManifestRead;

    /// <summary>Still the ETag the reader holds: nothing changed since (one conditional GET, no body).</summary>
    public sealed record Unchanged : FleetManifestRead;

    /// <summary>The fleet has no version of this certificate yet.</summary>
    public sealed record Missing : FleetManifestRead;
}
