using System.Globalization;

namespace CertDaemon.Fleet;

/// <summary>
/// The fleet store's key layout (relative to <c>Fleet.Prefix</c>):
/// <code>
/// certificates/NAME/manifest.json          current version (compare-and-swap)
/// certificates/NAME/lease.json             who renews now (compare-and-swap)
/// certificates/NAME/VERSION-SERIAL/{cert,chain,privkey}.pem   immutable files of one version
/// accounts/HOST[_PORT]/HASH/private_key.pem                   the fleet's ACME account key
/// </code>
/// A version's files are named by its serial too, so two writers can never overwrite each other's files.
/// </summary>
internal static class FleetKeys
{
    public static string Manifest(string name) => $"certificates/{name}/manifest.json";

    public static string Lease(string name) => $"certificates/{name}/lease.json";

    public static string VersionFile(string name, int version, string serial, string role) =>
        $"certificates/{name}/{version.ToString(CultureInfo.InvariantCulture)}-{serial}/{role}.pem";

    /// <summary>The account key of <paramref name="accountDirectory"/>'s last two levels (<c>HOST/HASH</c>, see AcmeAccountProvisioner).</summary>
    public static string AccountKey(string accountDirectory)
    {
        var hash = Path.GetFileName(accountDirectory);
        var host = Path.GetFileName(Path.GetDirectoryName(accountDirectory)!);
        return $"accounts/{host}/{hash}/private_key.pem";
    }
}
