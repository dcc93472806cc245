using System.Collections.Concurrent;

namespace CertDaemon.Fleet;

/// <summary>
/// The last manifest this process read or wrote per certificate, with its ETag: the next check asks S3 with
/// <c>If-None-Match</c> and pays one request without a body when nothing changed.
/// </summary>
internal sealed class FleetManifestCache
{
    private readonly ConcurrentDictionary<string, (FleetManifest Manifest, string ETag)> _known = new(StringComparer.Ordinal);

    /// <summary>The manifest as last seen, without asking S3.</summary>
    public (FleetManifest Manifest, string ETag)? Known(string name) => _known.TryGetValue(name, out var known) ? known : null;

    /// <summary>Remembers <paramref name="manifest"/> as handled (installed, or nothing to do) so the next check is conditional.</summary>
    public void Remember(FleetManifest manifest, string etag) => _known[manifest.Name] = (manifest, etag);

    /// <summary>Forgets what was seen, so the next read is a full one (after a failed install, it is retried).</summary>
    public void Forget(string name) => _known.TryRemove(name, out _);
}
