using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CertDaemon.Kernel;
using Microsoft.Extensions.Configuration;

namespace CertDaemon.Configuration;

/// <summary>
/// A cursor on one object of the merged configuration that reads typed values and reports, instead of ignoring,
/// every unknown key, wrong type and malformed value with its JSON path. Keys match ignoring case, as
/// Microsoft.Extensions.Configuration does; paths in messages use the documented spelling.
/// A value that is JSON <c>null</c> or an empty string counts as absent (the default applies).
/// </summary>
internal sealed class ConfigurationNode
{
    private readonly IConfiguration _configuration;
    private readonly ConfigurationReadContext _context;

    public ConfigurationNode(IConfiguration configuration, string jsonPath, ConfigurationReadContext context)
    {
        _configuration = configuration;
        JsonPath = jsonPath;
        _context = context;
    }

    /// <summary>Where this object is, e.g. <c>$.Certificates[0]</c>.</summary>
    public string JsonPath { get; }

    /// <summary>Reports every child key not in <paramref name="known"/>, suggesting the closest known key.</summary>
    public void RejectUnknownKeys(params IReadOnlyCollection<string> known)
    {
        foreach (var child in _configuration.GetChildren())
        {
            if (known.Contains(child.Key, StringComparer.OrdinalIgnoreCase) || _context.IsColonArtifact(child.Path))
            {
                continue;
            }

            var suggestion = KeyNameSuggester.Suggest(child.Key, known);
            _context.Report(
                ChildPath(JsonPath, child.Key),
                suggestion is null
                    ? "unknown key (known keys: " + string.Join(", ", known) + ")"
                    : $"unknown key (did you mean \"{suggestion}\"?)");
        }
    }

    public string? String(string key) => ReadString(Find(key), ChildPath(JsonPath, key));

    public bool? Boolean(string key) => ReadBoolean(Find(key), ChildPath(JsonPath, key));

    public int? Integer(string key)
    {
        var section = Find(key);
        var path = ChildPath(JsonPath, key);
        if (!TryScalar(section, path, "a whole number", JsonValueKind.Number, out var text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            _context.Report(path, $"expected a whole number, got \"{text}\"");
            return null;
        }

        return value;
    }

    public TimeSpan? Duration(string key)
    {
        var path = ChildPath(JsonPath, key);
        if (!TryScalar(Find(key), path, DurationFormat.Hint, JsonValueKind.String, out var text))
        {
            return null;
        }

        if (!DurationFormat.TryParse(text, out var value))
        {
            _context.Report(path, $"expected {DurationFormat.Hint}, got \"{text}\"");
            return null;
        }

        return value;
    }

    /// <summary>An absolute URL; scheme and host rules are the validator's.</summary>
    public Uri? AbsoluteUri(string key)
    {
        var path = ChildPath(JsonPath, key);
        var text = ReadString(Find(key), path);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
        {
            _context.Report(path, $"expected an absolute URL, got \"{text}\"");
            return null;
        }

        return uri;
    }

    public KeyType? KeyType(string key)
    {
        var path = ChildPath(JsonPath, key);
        var text = ReadString(Find(key), path);
        if (text is null)
        {
            return null;
        }

        if (!KeyTypeNames.TryParse(text, out var keyType))
        {
            _context.Report(path, $"unknown key type \"{text}\" (expected one of {string.Join(", ", KeyTypeNames.All)})");
            return null;
        }

        return keyType;
    }

    /// <summary>A nested object, or <see langword="null"/> when absent or not an object (reported).</summary>
    public ConfigurationNode? Object(string key) => ReadObject(Find(key), ChildPath(JsonPath, key));

    /// <summary>An array of objects.</summary>
    public IReadOnlyList<ConfigurationNode>? Objects(string key)
    {
        var elements = ReadArray(Find(key), ChildPath(JsonPath, key));
        if (elements is null)
        {
            return null;
        }

        var nodes = new List<ConfigurationNode>(elements.Count);
        foreach (var (section, path) in elements)
        {
            if (ReadObject(section, path) is { } node)
            {
                nodes.Add(node);
                continue;
            }

            if (!IsPresent(section) && _context.KindOf(section.Path) is not (JsonValueKind.Array or JsonValueKind.Object))
            {
                _context.Report(path, "expected an object, got null");
            }

            // Reported; keep the index so later elements' paths stay right.
            nodes.Add(new ConfigurationNode(new ConfigurationBuilder().Build(), path, _context));
        }

        return nodes;
    }

    /// <summary>An array of strings; null or non-string elements are reported.</summary>
    public IReadOnlyList<string>? Strings(string key) => ReadStrings(Find(key), ChildPath(JsonPath, key));

    /// <summary>An array of string arrays (argv lists).</summary>
    public IReadOnlyList<IReadOnlyList<string>>? StringLists(string key)
    {
        var elements = ReadArray(Find(key), ChildPath(JsonPath, key));
        if (elements is null)
        {
            return null;
        }

        var lists = new List<IReadOnlyList<string>>(elements.Count);
        foreach (var (section, path) in elements)
        {
            lists.Add(ReadStrings(section, path) ?? []);
        }

        return lists;
    }

    /// <summary>An object whose values are all strings (tags).</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string key)
    {
        var path = ChildPath(JsonPath, key);
        var section = Find(key);
        if (!CheckObject(section, path))
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in section!.GetChildren())
        {
            var childPath = ChildPath(path, child.Key);
            if (_context.IsColonArtifact(child.Path))
            {
                continue;
            }

            if (IsPresent(child))
            {
                if (ReadString(child, childPath) is { } value)
                {
                    map[child.Key] = value;
                }
            }
            else if (_context.KindOf(child.Path) is JsonValueKind.Object or JsonValueKind.Array)
            {
                _context.Report(childPath, "expected a string, got " + Describe(_context.KindOf(child.Path)!.Value));
            }
            else
            {
                map[child.Key] = ""; // null or "": an empty value
            }
        }

        return map;
    }

    /// <summary>Whether <paramref name="key"/> is present with JSON <c>null</c> or an empty string (as opposed to absent).</summary>
    public bool IsExplicitlyNull(string key)
    {
        var section = _configuration.GetSection(key);
        return !HasChildren(section) && (section.Value is "" || _context.KindOf(section.Path) == JsonValueKind.Null);
    }

    /// <summary>Whether <paramref name="key"/> holds an object (present with keys, or an explicit <c>{}</c>); nothing is reported.</summary>
    public bool IsObject(string key)
    {
        var section = _configuration.GetSection(key);
        return HasChildren(section) ? _context.KindOf(section.Path) != JsonValueKind.Array : _context.KindOf(section.Path) == JsonValueKind.Object;
    }

    /// <summary>Reports a problem found by the caller at <paramref name="key"/> of this object.</summary>
    public void Report(string key, string message) => _context.Report(ChildPath(JsonPath, key), message);

    /// <summary>A section we do not interpret (<c>Logging</c>); it only has to be an object.</summary>
    public void PassThroughObject(string key) => CheckObject(Find(key), ChildPath(JsonPath, key));

    /// <summary><c>$.A</c> + <c>B</c> = <c>$.A.B</c>; keys that are not plain identifiers use <c>['...']</c>.</summary>
    public static string ChildPath(string parent, string key) =>
        key.Length > 0 && !key.AsSpan().ContainsAnyExcept(IdentifierCharacters) && !char.IsAsciiDigit(key[0])
            ? parent + "." + key
            : parent + "['" + key.Replace("'", "\\'", StringComparison.Ordinal) + "']";

    private static readonly SearchValues<char> IdentifierCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    private IConfigurationSection? Find(string key)
    {
        var section = _configuration.GetSection(key);
        return IsPresent(section) || _context.KindOf(section.Path) is JsonValueKind.Array or JsonValueKind.Object ? section : null;
    }

    private static bool IsPresent(IConfigurationSection? section) =>
        section is not null && (!string.IsNullOrEmpty(section.Value) || section.GetChildren().Any());

    private static bool HasChildren(IConfigurationSection section) => section.GetChildren().Any();

    private string? ReadString(IConfigurationSection? section, string path) =>
        TryScalar(section, path, "a string", JsonValueKind.String, out var text) ? text : null;

    private bool? ReadBoolean(IConfigurationSection? section, string path)
    {
        if (!TryScalar(section, path, "true or false", JsonValueKind.True, out var text))
        {
            return null;
        }

        if (!bool.TryParse(text, out var value))
        {
            _context.Report(path, $"expected true or false, got \"{text}\"");
            return null;
        }

        return value;
    }

    /// <summary>
    /// A scalar's text, or false when absent (no report) or not the expected kind (reported). For values from the
    /// file the JSON kind must match (<c>"5"</c> is not a number); values from environment variables are text and
    /// are parsed by the caller.
    /// </summary>
    private bool TryScalar(IConfigurationSection? section, string path, string expected, JsonValueKind expectedKind, out string text)
    {
        text = "";
        if (section is null)
        {
            return false;
        }

        var kind = _context.KindOf(section.Path);
        if (!IsPresent(section))
        {
            if (kind is JsonValueKind.Array or JsonValueKind.Object)
            {
                _context.Report(path, $"expected {expected}, got {Describe(kind.Value)}");
            }

            return false;
        }

        if (HasChildren(section))
        {
            _context.Report(path, $"expected {expected}, got {(kind == JsonValueKind.Array ? "an array" : "an object")}");
            return false;
        }

        var kindMatches = kind switch
        {
            null => true,
            JsonValueKind.True or JsonValueKind.False => expectedKind is JsonValueKind.True or JsonValueKind.False,
            _ => kind == expectedKind,
        };
        if (!kindMatches)
        {
            _context.Report(path, $"expected {expected}, got {Describe(kind!.Value)} {section.Value}");
            return false;
        }

        text = section.Value!;
        return true;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "the string",
        JsonValueKind.Number => "the number",
        JsonValueKind.True or JsonValueKind.False => "the boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "the value",
    };

    private bool CheckObject(IConfigurationSection? section, string path)
    {
        if (section is null)
        {
            return false;
        }

        var kind = _context.KindOf(section.Path);
        if (!HasChildren(section))
        {
            if (kind == JsonValueKind.Object)
            {
                return true; // an explicit {}: present, with every key at its default
            }

            if (kind == JsonValueKind.Array || !string.IsNullOrEmpty(section.Value))
            {
                _context.Report(path, $"expected an object, got {(kind is { } k ? Describe(k) : "the value")} {section.Value}".TrimEnd());
            }

            return false;
        }

        if (kind == JsonValueKind.Array)
        {
            _context.Report(path, "expected an object, got an array");
            return false;
        }

        if (!string.IsNullOrEmpty(section.Value))
        {
            _context.Report(path, $"expected an object, got both keys and the value \"{section.Value}\"");
            return false;
        }

        return true;
    }

    private ConfigurationNode? ReadObject(IConfigurationSection? section, string path) =>
        CheckObject(section, path) ? new ConfigurationNode(section!, path, _context) : null;

    private List<(IConfigurationSection Section, string Path)>? ReadArray(IConfigurationSection? section, string path)
    {
        if (section is null)
        {
            return null;
        }

        var kind = _context.KindOf(section.Path);
        if (!HasChildren(section))
        {
            if (kind == JsonValueKind.Array)
            {
                return []; // an explicit [] is an empty list, not "use the default"
            }

            if (kind == JsonValueKind.Object || !string.IsNullOrEmpty(section.Value))
            {
                var hint = _context.KindOf(section.Path) is null
                    ? " (set elements with one environment variable each: ...__0, ...__1)"
                    : "";
                _context.Report(path, $"expected an array, got {(kind is { } k ? Describe(k) : "the value")} {section.Value}".TrimEnd() + hint);
            }

            return null;
        }

        if (!string.IsNullOrEmpty(section.Value))
        {
            _context.Report(path, $"expected an array, got both elements and the value \"{section.Value}\" (set elements with one environment variable each: ...__0, ...__1)");
            return null;
        }

        var elements = new List<(IConfigurationSection, string)>();
        foreach (var child in section.GetChildren())
        {
            if (kind == JsonValueKind.Object || !int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                _context.Report(path, "expected an array, got an object");
                return null;
            }

            if (index != elements.Count)
            {
                // Only environment variables can leave a gap (e.g. ...__5 when the file has two elements).
                _context.Report($"{path}[{index}]", $"array index out of sequence (the next element would be [{elements.Count}])");
                return null;
            }

            elements.Add((child, $"{path}[{index}]"));
        }

        return elements;
    }

    private List<string>? ReadStrings(IConfigurationSection? section, string path)
    {
        var elements = ReadArray(section, path);
        if (elements is null)
        {
            return null;
        }

        var values = new List<string>(elements.Count);
        foreach (var (element, elementPath) in elements)
        {
            if (ReadString(element, elementPath) is { } value)
            {
                values.Add(value);
            }
            else if (!IsPresent(element) && _context.KindOf(element.Path) is not (JsonValueKind.Array or JsonValueKind.Object))
            {
                _context.Report(elementPath, "expected a string, got null or an empty string");
            }
        }

        return values;
    }
}
