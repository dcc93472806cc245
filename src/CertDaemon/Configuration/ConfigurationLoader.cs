using System.Collections;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace CertDaemon.Configuration;

/// <summary>
/// Loads the configuration file, applies <c>CERTDAEMON_Section__Key</c> environment overrides, binds and validates,
/// and returns either the result or every problem (one per line for <c>certdaemon config check</c>, exit code 78).
/// </summary>
/// <remarks>
/// <para>Layering follows Microsoft.Extensions.Configuration's rules (the file, then the environment variables with
/// prefix <c>CERTDAEMON_</c>, <c>__</c> separating levels, array elements by index:
/// <c>CERTDAEMON_Certificates__0__Domains__1</c>). An empty variable sets the key to null (its default).
/// <c>CERTDAEMON_CONFIG</c> names the file and is not a key. The merged view is a <see cref="ConfigurationTree"/>
/// built from the one <see cref="JsonDocument"/> parse, so binding is linear in the number of certificates.</para>
/// <para>Keys match ignoring case, as Microsoft.Extensions.Configuration does; a file that spells one key twice in
/// different cases is refused rather than letting the last one win silently.</para>
/// <para>The parse also keeps what the merged string view loses: the line of a syntax error, duplicate keys, and each
/// value's JSON type (a quoted <c>"5"</c> is not a number).</para>
/// </remarks>
internal static class ConfigurationLoader
{
    /// <summary>Used when neither <c>--config</c> nor <c>$CERTDAEMON_CONFIG</c> gives a path.</summary>
    public const string DefaultPath = "/etc/certdaemon/certdaemon.json";

    /// <summary>The environment variable naming the configuration file.</summary>
    public const string PathVariable = "CERTDAEMON_CONFIG";

    /// <summary>Prefix of environment variables overriding configuration keys.</summary>
    public const string EnvironmentPrefix = "CERTDAEMON_";

    // Same reader settings as Microsoft.Extensions.Configuration.Json, so both parses agree.
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The file to read: <paramref name="commandLinePath"/> (<c>--config</c>), else <c>$CERTDAEMON_CONFIG</c>, else <see cref="DefaultPath"/>.</summary>
    public static string ResolvePath(string? commandLinePath, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(commandLinePath))
        {
            return commandLinePath;
        }

        return environment.TryGetValue(PathVariable, out var fromEnvironment) && !string.IsNullOrEmpty(fromEnvironment)
            ? fromEnvironment
            : DefaultPath;
    }

    /// <summary>This process's environment variables, as <see cref="Load(string?, IReadOnlyDictionary{string, string?}, bool)"/> takes them.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string;
        }

        return variables;
    }

    /// <summary>Loads with this process's environment.</summary>
    public static ConfigurationLoadResult Load(string? commandLinePath) => Load(commandLinePath, ProcessEnvironment());

    /// <summary>
    /// Loads for a command that only reads (<c>status</c>, <c>metrics</c>): the directories need not be writable by
    /// this user, so a monitoring user in the state directory's group can run it.
    /// </summary>
    public static ConfigurationLoadResult LoadForReading(string? commandLinePath) => Load(commandLinePath, ProcessEnvironment(), readOnly: true);

    /// <summary>Loads, binds and validates; never throws for a bad configuration.</summary>
    /// <param name="commandLinePath">The <c>--config</c> value, if given.</param>
    /// <param name="environment">Environment variables: the overrides, <c>CERTDAEMON_CONFIG</c>, and <c>PATH</c> for finding programs.</param>
    /// <param name="readOnly">The command only reads: skip the checks that the directories are writable.</param>
    public static ConfigurationLoadResult Load(string? commandLinePath, IReadOnlyDictionary<string, string?> environment, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var path = ResolvePath(commandLinePath, environment);

        if (Directory.Exists(path))
        {
            // Reading a directory fails with "Access denied", which sends the operator looking at permissions.
            return ConfigurationLoadResult.Failure(path, [new("$",
                $"cannot read the configuration file {path}: it is a directory; name the JSON file itself (e.g. {Path.Combine(path, "certdaemon.json")})")]);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "it does not exist" : e.Message;
            return ConfigurationLoadResult.Failure(path, [new("$", $"cannot read the configuration file {path}: {reason}")]);
        }

        var problems = new List<ConfigurationProblem>();
        var softProblems = new List<ConfigurationProblem>();
        using var document = Parse(bytes, path, problems);
        var jsonKinds = document is null ? null : ReadJsonKinds(document, path, problems, softProblems);
        var overrides = ReadEnvironmentOverrides(environment, problems);
        if (document is null || jsonKinds is null || problems.Count > 0)
        {
            return ConfigurationLoadResult.Failure(path, problems);
        }

        var configuration = ConfigurationTree.Build(
            document.RootElement, overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value.Value)));

        var environmentKeys = overrides.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var context = new ConfigurationReadContext(jsonKinds, environmentKeys);
        var bound = OptionsBinder.Bind(new ConfigurationNode(configuration, "$", context));
        var validation = CertDaemonOptionsValidator.Validate(bound, environment.GetValueOrDefault("PATH"), readOnly);

        // A value the binder could not read is reported once: the validator then only sees its default.
        problems.AddRange(softProblems);
        problems.AddRange(context.Problems);
        problems.AddRange(validation.Problems.Where(p => !context.Problems.Any(b => IsAtOrBelow(p.Path, b.Path))));
        if (problems.Count > 0)
        {
            return ConfigurationLoadResult.Failure(path, problems.Select(p => AttributeToEnvironment(p, overrides)).ToList());
        }

        // Normalized only once valid: the validator's messages quote the domains as the operator wrote them.
        return ConfigurationLoadResult.Success(new LoadedConfiguration(path, CertDaemonOptionsNormalizer.Normalize(bound), configuration) { SourceBytes = bytes });
    }

    /// <summary>The file as a <see cref="JsonDocument"/>, or null (reported) when it is not valid JSON.</summary>
    private static JsonDocument? Parse(byte[] bytes, string path, List<ConfigurationProblem> problems)
    {
        try
        {
            return JsonDocument.Parse(bytes, JsonOptions);
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }

            problems.Add(new("$", $"{path} is not valid JSON: line {line}, column {column}: {message}"));
            return null;
        }
    }

    /// <summary>Configuration key (<c>A:0:B</c>) to JSON kind for every value in the file; null when the file is not a JSON object.</summary>
    private static Dictionary<string, JsonValueKind>? ReadJsonKinds(JsonDocument document, string path, List<ConfigurationProblem> problems, List<ConfigurationProblem> softProblems)
    {
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("$", $"{path} must contain a JSON object ({{ ... }}), not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"));
            return null;
        }

        var kinds = new Dictionary<string, JsonValueKind>(StringComparer.OrdinalIgnoreCase);
        Walk(document.RootElement, "", "$", kinds, problems, softProblems);
        return kinds;
    }

    private static void Walk(JsonElement element, string key, string jsonPath, Dictionary<string, JsonValueKind> kinds, List<ConfigurationProblem> problems, List<ConfigurationProblem> softProblems)
    {
        if (key.Length > 0)
        {
            kinds[key] = element.ValueKind;
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    var childPath = ConfigurationNode.ChildPath(jsonPath, property.Name);
                    if (!seen.Add(property.Name))
                    {
                        problems.Add(new(childPath, "duplicate key (keys are compared ignoring case)"));
                        continue;
                    }

                    if (property.Name.Contains(':', StringComparison.Ordinal))
                    {
                        // Microsoft.Extensions.Configuration reads ':' as a level separator, so such a key would
                        // silently land somewhere else. Not fatal: binding goes on to find the other problems.
                        softProblems.Add(new(childPath, "keys cannot contain ':' (the configuration system reads it as a level separator)"));
                        continue;
                    }

                    Walk(property.Value, key.Length == 0 ? property.Name : key + ConfigurationPath.KeyDelimiter + property.Name, childPath, kinds, problems, softProblems);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, key + ConfigurationPath.KeyDelimiter + index.ToString(CultureInfo.InvariantCulture), $"{jsonPath}[{index}]", kinds, problems, softProblems);
                    index++;
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Configuration key to (value, variable name), as the EnvironmentVariables provider would map them.</summary>
    private static Dictionary<string, (string? Value, string Variable)> ReadEnvironmentOverrides(
        IReadOnlyDictionary<string, string?> environment, List<ConfigurationProblem> problems)
    {
        var overrides = new Dictionary<string, (string? Value, string Variable)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, value) in environment.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (!variable.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                || variable.Equals(PathVariable, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var key = variable[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
            if (overrides.TryGetValue(key, out var earlier))
            {
                problems.Add(new(ToJsonPath(key), $"set by both {earlier.Variable} and {variable}; keep one"));
                continue;
            }

            overrides[key] = (value, variable);
        }

        return overrides;
    }

    private static bool IsAtOrBelow(string path, string ancestor) =>
        string.Equals(path, ancestor, StringComparison.OrdinalIgnoreCase)
        || (path.StartsWith(ancestor, StringComparison.OrdinalIgnoreCase) && path.Length > ancestor.Length && path[ancestor.Length] is '.' or '[');

    private static ConfigurationProblem AttributeToEnvironment(ConfigurationProblem problem, Dictionary<string, (string? Value, string Variable)> overrides)
    {
        var variables = overrides
            .Where(o => IsAtOrBelow(ToJsonPath(o.Key), problem.Path))
            .Select(o => o.Value.Variable)
            .ToList();
        return variables.Count == 0
            ? problem
            : problem with { Message = $"{problem.Message} (from environment variable {string.Join(", ", variables)})" };
    }

    /// <summary><c>Certificates:0:Domains</c> to <c>$.Certificates[0].Domains</c>.</summary>
    private static string ToJsonPath(string configKey)
    {
        var path = "$";
        foreach (var segment in configKey.Split(ConfigurationPath.KeyDelimiter))
        {
            path = segment.Length > 0 && !segment.AsSpan().ContainsAnyExceptInRange('0', '9') ? $"{path}[{segment}]" : ConfigurationNode.ChildPath(path, segment);
        }

        return path;
    }
}
