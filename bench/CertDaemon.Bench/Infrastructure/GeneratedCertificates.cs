using System.Text.Json;
using CertDaemon.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Bench.Infrastructure;

/// <summary>
/// A certdaemon home with N managed certificates, none due: state files written through the product's
/// <see cref="CertificateStateStore"/> (a current certificate issued a day ago, 90-day lifetime) and a configuration
/// that lists them (or leaves them ad-hoc, remembered in the state directory).
/// </summary>
internal static class GeneratedCertificates
{
    public static async Task<string> CreateAsync(string home, int count, bool configured, Uri directoryUrl)
    {
        Directory.CreateDirectory(home);
        var stateDirectory = Path.Combine(home, "state");
        var states = new CertificateStateStore(stateDirectory, TimeProvider.System, NullLogger.Instance);
        var now = TimeProvider.System.GetUtcNow();
        var names = Enumerable.Range(0, count).Select(i => $"site{i:00000}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (name, ct) =>
        {
            string[] domains = [$"{name}.example.test", $"*.{name}.example.test"];
            await states.SaveAsync(new CertificateState
            {
                Name = name,
                Domains = configured ? [] : domains,
                KeyType = configured ? null : "ec256",
                Current = new CurrentCertificate(1, Convert.ToHexStringLower(BitConverter.GetBytes((long)name.GetHashCode(StringComparison.Ordinal))),
                    domains, "ec256", now.AddDays(-1), now.AddDays(89), null, directoryUrl, now.AddDays(-1)),
            }, ct);
        });

        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?> { ["DirectoryUrl"] = directoryUrl.ToString(), ["Email"] = "bench@example.test", ["AcceptTermsOfService"] = true },
            ["StateDirectory"] = stateDirectory,
            ["CertificateDirectory"] = Path.Combine(home, "letsencrypt"),
            ["Nginx"] = new Dictionary<string, object?> { ["Enabled"] = false },
            ["Certificates"] = configured
                ? names.Select(n => new Dictionary<string, object?> { ["Name"] = n, ["Domains"] = new[] { $"{n}.example.test", $"*.{n}.example.test" } }).ToArray()
                : Array.Empty<object>(),
        };
        var path = Path.Combine(home, "certdaemon.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
        return path;
    }

    public static IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "bench-not-used",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ENDPOINT_URL_ROUTE_53"] = "http://127.0.0.1:9/",
    };
}
