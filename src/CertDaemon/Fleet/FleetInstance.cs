using System.Globalization;
using System.Security.Cryptography;

namespace CertDaemon.Fleet;

/// <summary>
/// This process's identity in the fleet: host name, process id and a random suffix, so two processes (even on one
/// host, or a restarted one with a recycled pid) never mistake each other's lease for their own.
/// </summary>
internal sealed record FleetInstance(string Id)
{
    public static FleetInstance ForThisProcess() => new(string.Create(
        CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}"));
}
