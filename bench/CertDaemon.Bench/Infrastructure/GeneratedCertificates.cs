using System.Text.Json;
using CertDaemon.Storage;
using CertDaemon.Tests.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Bench.Infrastructure;

/// <summary>
/// A certdaemon home with N managed certificates, none due: state files written through the product's
/// <see cref="CertificateStateStore"/> (a current certificate issued a day ago, 90-day lifetime) and a configuration
/// that lists them (or leaves them ad-hoc, remembered in the state directory). With <c>liveFiles</c>, each has real
/// certbot-layout files as well (archive + live links, committed through the product's <see cref="CertificateStore"/>,
/// a leaf from a throw-away CA whose serial and dates the state file records), as on a server that has been running:
/// without them the daemon's start-up takes its repair path for every certificate and <c>status</c> reports them broken.
/// </summary>
internal static class GeneratedCertificates
{
    public static async Task<string> CreateAsync(string home, int count, bool configured, Uri directoryUrl, bool liveFiles = false)
    {
        Directory.CreateDirectory(home);
        var stateDirectory = Path.Combine(home, "state");
        var certificateDirectory = Path.Combine(home, "letsencrypt");
        var states = new CertificateStateStore(stateDirectory, TimeProvider.System, NullLogger.Instance);
        var store = new CertificateStore(certificateDirectory, new CertificateStoreOptions(), TimeProvider.System, NullLogger.Instance);
        using var ca = liveFiles ? new TestCertificates("CertDaemon Bench CA") : null;
        var now = TimeProvider.System.GetUtcNow();
        var issuedAt = now.AddDays(-1);
        var names = Enumerable.Range(0, count).Select(i => $"site{i:00000}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (name, ct) =>
        {
            string[] domains = [$"{name}.example.test", $"*.{name}.example.test"];
            var (version, serial, notBefore, notAfter) = (1, Convert.ToHexStringLower(BitConverter.GetBytes((long)name.GetHashCode(StringComparison.Ordinal))), issuedAt, issuedAt.AddDays(90));
            if (ca is not null)
            {
                var material = ca.Issue(domains, issuedAt.AddTicks(-issuedAt.Ticks % TimeSpan.TicksPerSecond));
                var stored = await store.CommitAsync(name, material, ct);
                (version, serial, notAfter) = (stored.Version, stored.Serial, stored.NotAfter);
                notBefore = notAfter.AddDays(-90);
            }

            await states.SaveAsync(new CertificateState
            {
                Name = name,
                Domains = configured ? [] : domains,
                KeyType = configured ? null : "ec256",
                Current = new CurrentCertificate(version, serial, domains, "ec256", notBefore, notAfter, null, directoryUrl, issuedAt),
            }, ct);
        });

        var config = new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?> { ["DirectoryUrl"] = directoryUrl.ToString(), ["Email"] = "bench@example.test", ["AcceptTermsOfService"] = true },
            ["StateDirectory"] = stateDirectory,
            ["CertificateDirectory"] = certificateDirectory,
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
