namespace CertDaemon.Storage;

/// <summary>
/// <c>.certdaemon/NAME.lineage.json</c>: written before CertDaemon's first file of a lineage, and again before each
/// version it writes, so it is always known which versions are CertDaemon's (pruned, cleaned up after a crash) and
/// which are certbot's or another tool's (never touched), even after a crash.
/// </summary>
/// <param name="FirstOwnVersion">The first number CertDaemon used when it adopted the lineage.</param>
/// <param name="Written">The versions CertDaemon wrote and the serial of each (lower-case hex). A number in
/// <c>archive/</c> whose certificate has another serial was written by someone else (certbot renewing behind
/// CertDaemon's back) and is never removed. Null in markers from before this list existed: then a version is
/// CertDaemon's when it is at least <paramref name="FirstOwnVersion"/> and has its own <c>live/.NAME.vN</c>.</param>
internal sealed record LineageMarker(int FirstOwnVersion, IReadOnlyDictionary<int, string>? Written = null);
