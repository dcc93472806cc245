namespace CertDaemon.Storage;

/// <summary>
/// <c>.certdaemon/NAME.lineage.json</c>: written before CertDaemon's first file of a lineage, so versions below
/// <see cref="FirstOwnVersion"/> are known to be certbot's (never pruned, never cleaned up) even after a crash.
/// </summary>
internal sealed record LineageMarker(int FirstOwnVersion);
