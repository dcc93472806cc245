using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CertDaemon.Certbot;

/// <summary>
/// Adds imported certificates to the text of a configuration file, keeping everything else as it is (order, values;
/// comments are not kept: the backup has them). Pure: text in, text out.
/// </summary>
internal static class CertbotConfigurationMerge
{
    private static readonly JsonDocumentOptions _reading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The file's text with <paramref name="entries"/> appended to <c>Certificates</c>, or null when there is nothing to add.</summary>
    /// <exception cref="CertbotConfigurationException">The file is not a JSON object, or <c>Certificates</c> is not an array.</exception>
    public static string? Merge(string configurationJson, string path, IReadOnlyList<CertbotImportEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var toAdd = entries.Where(e => e.Action == CertbotImportAction.Add).ToList();
        if (toAdd.Count == 0)
        {
            return null;
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(configurationJson, documentOptions: _reading) as JsonObject
                ?? throw new CertbotConfigurationException($"{path}: the configuration is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CertbotConfigurationException($"{path}: not valid JSON: {e.Message}", e);
        }

        var certificates = root["Certificates"] switch
        {
            null => (JsonArray)(root["Certificates"] = new JsonArray()),
            JsonArray array => array,
            _ => throw new CertbotConfigurationException($"{path}: $.Certificates is not an array"),
        };
        foreach (var entry in toAdd)
        {
            certificates.Add((JsonNode)new JsonObject
            {
                ["Name"] = entry.Name,
                ["Domains"] = new JsonArray([.. entry.Domains.Select(d => (JsonNode?)JsonValue.Create(d))]),
                ["KeyType"] = entry.KeyType,
            });
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            root.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
