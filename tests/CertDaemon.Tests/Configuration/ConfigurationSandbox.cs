using System.Text.Json.Nodes;
using CertDaemon.Configuration;

namespace CertDaemon.Tests.Configuration;

/// <summary>
/// A temporary directory holding a configuration file, state and certificate directories, and a bin/ with fake
/// <c>nginx</c> and <c>systemctl</c> executables that PATH points at, so validation does not depend on the machine.
/// </summary>
internal sealed class ConfigurationSandbox : IDisposable
{
    public ConfigurationSandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "certdaemon-config-tests", Guid.NewGuid().ToString("N"));
        Bin = Path.Combine(Root, "bin");
        StateDirectory = Path.Combine(Root, "state");
        CertificateDirectory = Path.Combine(Root, "letsencrypt");
        Directory.CreateDirectory(Bin);
        foreach (var program in new[] { "nginx", "systemctl", "deploy-hook" })
        {
            var file = Path.Combine(Bin, program);
            File.WriteAllText(file, "#!/bin/sh\nexit 0\n");
            SetMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        ConfigPath = Path.Combine(Root, "certdaemon.json");
        Environment = new Dictionary<string, string?> { ["PATH"] = Bin };
    }

    public string Root { get; }

    public string Bin { get; }

    public string StateDirectory { get; }

    public string CertificateDirectory { get; }

    public string ConfigPath { get; }

    public Dictionary<string, string?> Environment { get; }

    /// <summary>A configuration that passes validation in this sandbox.</summary>
    public JsonObject ValidConfiguration() => new()
    {
        ["Acme"] = new JsonObject
        {
            ["DirectoryUrl"] = "https://acme-staging-v02.api.letsencrypt.org/directory",
            ["Email"] = "ops@example.com",
            ["AcceptTermsOfService"] = true,
        },
        ["StateDirectory"] = StateDirectory,
        ["CertificateDirectory"] = CertificateDirectory,
        ["Route53"] = new JsonObject { ["PropagationTimeout"] = "00:02:00" },
        ["Nginx"] = new JsonObject
        {
            ["TestCommand"] = new JsonArray("nginx", "-t"),
            ["ReloadCommand"] = new JsonArray("systemctl", "reload", "nginx"),
        },
        ["Certificates"] = new JsonArray(
            new JsonObject
            {
                ["Name"] = "example",
                ["Domains"] = new JsonArray("example.com", "*.example.com"),
                ["KeyType"] = "ec256",
            },
            new JsonObject
            {
                ["Name"] = "shop",
                ["Domains"] = new JsonArray("shop.example.net"),
                ["Acm"] = new JsonObject { ["Regions"] = new JsonArray("us-east-1", "eu-west-1") },
            }),
    };

    public ConfigurationLoadResult Load(JsonObject configuration) => Load(configuration.ToJsonString());

    public ConfigurationLoadResult Load(string json)
    {
        File.WriteAllText(ConfigPath, json);
        return ConfigurationLoader.Load(ConfigPath, Environment);
    }

    /// <summary>CertDaemon is Linux-only; the guard satisfies the platform analyzer.</summary>
    public static void SetMode(string file, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, mode);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
