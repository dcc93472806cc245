using System.Text.Json;

namespace CertDaemon.Configuration;

/// <summary>
/// What <see cref="ConfigurationNode"/> needs beyond the merged <see cref="Microsoft.Extensions.Configuration.IConfiguration"/>:
/// the JSON kind of each value that came from the file (the merged view keeps only strings) and the problem list.
/// </summary>
internal sealed class ConfigurationReadContext
{
    private readonly IReadOnlyDictionary<string, JsonValueKind> _jsonKinds;
    private readonly IReadOnlySet<string> _environmentKeys;

    /// <param name="jsonKinds">Configuration key (<c>A:0:B</c>, any case) to the kind the file gave it.</param>
    /// <param name="environmentKeys">Configuration keys set by environment variables; their values are plain strings.</param>
    public ConfigurationReadContext(IReadOnlyDictionary<string, JsonValueKind> jsonKinds, IReadOnlySet<string> environmentKeys)
    {
        _jsonKinds = jsonKinds;
        _environmentKeys = environmentKeys;
    }

    public List<ConfigurationProblem> Problems { get; } = [];

    public void Report(string jsonPath, string message) => Problems.Add(new ConfigurationProblem(jsonPath, message));

    /// <summary>
    /// Whether <paramref name="configKey"/> exists only because a file key contained ':' (reported by the loader):
    /// neither the file nor the environment gave it as such.
    /// </summary>
    public bool IsColonArtifact(string configKey) =>
        !_jsonKinds.ContainsKey(configKey)
        && !_environmentKeys.Any(k => k.Equals(configKey, StringComparison.OrdinalIgnoreCase)
            || k.StartsWith(configKey + ":", StringComparison.OrdinalIgnoreCase));

    /// <summary>The JSON kind of the value at <paramref name="configKey"/>, or <see langword="null"/> when an environment variable set it or it is unknown.</summary>
    public JsonValueKind? KindOf(string configKey) =>
        !_environmentKeys.Contains(configKey) && _jsonKinds.TryGetValue(configKey, out var kind) ? kind : null;
}
