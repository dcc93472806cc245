using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace CertDaemon.Configuration;

/// <summary>
/// The merged configuration (file, then <c>CERTDAEMON_</c> environment overrides) as a tree built once from the
/// <see cref="JsonDocument"/> the loader already parsed, read through the <see cref="IConfiguration"/> interface.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="ConfigurationRoot"/>: its sections hold no children; every <c>GetChildren()</c> asks each
/// provider to scan all of its keys, so binding N certificates costs N full scans (10,000 certificates took ~19 s of
/// CPU in <c>config check</c>). Here each node keeps its children: building and reading are linear.</para>
/// <para>It keeps the providers' semantics the binder relies on: keys match ignoring case; values are the strings the
/// JSON provider would produce (<see cref="JsonElement.ToString"/>: <c>True</c>, <c>5</c>, <c>""</c> for
/// <c>null</c>), an empty object or array is a key with a <see langword="null"/> value; an override replaces a value
/// and adds keys; children enumerate in <see cref="ConfigurationKeyComparer"/> order (array indexes numerically).
/// Keys containing <c>:</c> are left out (the loader reports them). Read-only.</para>
/// </remarks>
internal sealed class ConfigurationTree : IConfigurationRoot, IConfigurationSection
{
    private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);

    // Created with the first child: most nodes are values, and every absent key read through GetSection is a node too.
    private Dictionary<string, ConfigurationTree>? _children;
    private List<ConfigurationTree>? _ordered;

    private ConfigurationTree(string key, string path)
    {
        Key = key;
        Path = path;
    }

    public string Key { get; }

    public string Path { get; }

    public string? Value { get; private set; }

    string? IConfigurationSection.Value
    {
        get => Value;
        set => throw new NotSupportedException("the merged configuration is read-only");
    }

    public string? this[string key]
    {
        get => Find(key)?.Value;
        set => throw new NotSupportedException("the merged configuration is read-only");
    }

    IEnumerable<IConfigurationProvider> IConfigurationRoot.Providers => [];

    /// <summary>The file's object with the overrides (configuration key <c>A:0:B</c> to value) applied on top.</summary>
    public static ConfigurationTree Build(JsonElement root, IEnumerable<KeyValuePair<string, string?>> overrides)
    {
        var tree = new ConfigurationTree("", "");
        tree.Add(root);
        foreach (var (key, value) in overrides)
        {
            var node = tree;
            foreach (var segment in key.Split(ConfigurationPath.KeyDelimiter))
            {
                node = node.Child(segment);
            }

            node.Value = value;
        }

        return tree;
    }

    public IConfigurationSection GetSection(string key) =>
        Find(key) ?? new ConfigurationTree(ConfigurationPath.GetSectionKey(key), Path.Length == 0 ? key : ConfigurationPath.Combine(Path, key));

    public IEnumerable<IConfigurationSection> GetChildren() => Ordered();

    public IChangeToken GetReloadToken() => NeverChanges;

    public void Reload() => throw new NotSupportedException("the merged configuration is built once per load");

    private ConfigurationTree? Find(string key)
    {
        if (!key.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal))
        {
            return _children?.GetValueOrDefault(key); // one segment: what the binder asks for
        }

        var node = this;
        foreach (var segment in key.Split(ConfigurationPath.KeyDelimiter))
        {
            if (node._children?.GetValueOrDefault(segment) is not { } child)
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private ConfigurationTree Child(string key)
    {
        _children ??= new Dictionary<string, ConfigurationTree>(StringComparer.OrdinalIgnoreCase);
        if (!_children.TryGetValue(key, out var child))
        {
            child = new ConfigurationTree(key, Path.Length == 0 ? key : Path + ConfigurationPath.KeyDelimiter + key);
            _children.Add(key, child);
            _ordered = null;
        }

        return child;
    }

    private List<ConfigurationTree> Ordered()
    {
        if (_ordered is null)
        {
            _ordered = _children is null ? [] : [.. _children.Values];
            _ordered.Sort((a, b) => ConfigurationKeyComparer.Instance.Compare(a.Key, b.Key));
        }

        return _ordered;
    }

    private void Add(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!property.Name.Contains(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal))
                    {
                        Child(property.Name).Add(property.Value);
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Child(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Add(item);
                    index++;
                }

                break;
            default:
                Value = element.ToString();
                return;
        }

        if (_children is null && Path.Length > 0)
        {
            Value = null; // an empty object or array: present, no value (as the JSON provider records it)
        }
    }
}
