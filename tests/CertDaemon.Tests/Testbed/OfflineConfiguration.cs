using System.Text.Json;

namespace CertDaemon.Tests.Testbed;

/// <summary>
/// A configuration for commands that only read (status, metrics): one certificate <c>site</c> for example.test, terms
/// accepted, nginx commands that do nothing. Nothing in it reaches a server.
/// </summary>
internal static class OfflineConfiguration
{
    /// <summary>Writes <c>certdaemon.json</c> in <paramref name="root"/> and returns its path.</summary>
    public static async Task<string> WriteAsync(string root, string stateDirectory, string certificateDirectory)
    {
        var config = Path.Combine(root, "certdaemon.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["Acme"] = new Dictionary<string, object?> { ["AcceptTermsOfService"] = true },
            ["StateDirectory"] = stateDirectory,
            ["CertificateDirectory"] = certificateDirectory,
            ["Nginx"] = new Dictionary<string, object?> { ["TestCommand"] = new[] { "/bin/true" }, ["ReloadCommand"] = new[] { "/bin/true" } },
            ["Certificates"] = new[] { new Dictionary<string, object?> { ["Name"] = "site", ["Domains"] = new[] { "example.test" } } },
        }));
        return config;
    }
}
