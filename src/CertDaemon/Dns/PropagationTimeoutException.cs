using System.Globalization;
using System.Text;

namespace CertDaemon.Dns;

/// <summary>
/// The challenge values were published but not every server answered every value before the propagation timeout.
/// The message names each server and the values it lacks.
/// </summary>
internal sealed class PropagationTimeoutException : Exception
{
    public PropagationTimeoutException(string zone, TimeSpan timeout, IReadOnlyList<MissingTxtValue> missing)
        : base(Describe(zone, timeout, missing))
    {
        Zone = zone;
        Timeout = timeout;
        Missing = missing;
    }

    /// <summary>The zone whose servers were asked.</summary>
    public string Zone { get; }

    public TimeSpan Timeout { get; }

    /// <summary>What was still missing at the last check.</summary>
    public IReadOnlyList<MissingTxtValue> Missing { get; }

    private static string Describe(string zone, TimeSpan timeout, IReadOnlyList<MissingTxtValue> missing)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"challenge TXT records in zone {zone} were not visible on every nameserver within {timeout}:");
        foreach (var byServer in missing.GroupBy(m => m.Server.ToString(), StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $" server {byServer.Key} lacks");
            foreach (var byName in byServer.GroupBy(m => m.Name, StringComparer.Ordinal))
            {
                var values = string.Join(", ", byName.Select(m => $"\"{m.Value}\""));
                var problem = byName.Select(m => m.Problem).FirstOrDefault(p => p is not null);
                text.Append(CultureInfo.InvariantCulture, $" {byName.Key} TXT {values}");
                if (problem is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $" ({problem})");
                }

                text.Append(';');
            }
        }

        return text.ToString();
    }
}
