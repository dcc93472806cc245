namespace CertDaemon.Fleet;

/// <summary>
/// A version the fleet published before the manifest's current one and still keeps in the store (for an operator who
/// must roll back, as <c>archive/</c> does locally): its number, serial and the keys of its files.
/// </summary>
internal sealed record FleetPreviousVersion(int Version, string Serial, IReadOnlyList<string> Keys);
