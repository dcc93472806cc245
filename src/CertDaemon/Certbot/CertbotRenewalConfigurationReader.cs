namespace CertDaemon.Certbot;

/// <summary>
/// Reads certbot's <c>renewal/*.conf</c> (configobj: <c>key = value</c> lines, <c>[section]</c> and
/// <c>[[subsection]]</c> headers, <c>#</c> comments, values optionally quoted with <c>'</c> or <c>"</c>, a trailing
/// comma marking a list). Pure: text in, record out.
/// </summary>
internal static class CertbotRenewalConfigurationReader
{
    /// <summary>Every <c>renewal/*.conf</c> under <paramref name="certbotDirectory"/>, by name.</summary>
    /// <exception cref="CertbotConfigurationException">A file cannot be read or parsed.</exception>
    public static IReadOnlyList<CertbotRenewalConfiguration> ReadAll(string certbotDirectory)
    {
        var renewal = System.IO.Path.Combine(certbotDirectory, "renewal");
        if (!Directory.Exists(renewal))
        {
            return [];
        }

        return Directory.EnumerateFiles(renewal, "*.conf")
            .Order(StringComparer.Ordinal)
            .Select(Read)
            .ToList();
    }

    /// <exception cref="CertbotConfigurationException">The file cannot be read or parsed.</exception>
    public static CertbotRenewalConfiguration Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CertbotConfigurationException($"{path}: cannot be read: {e.Message}", e);
        }

        return Parse(System.IO.Path.GetFileNameWithoutExtension(path), path, text);
    }

    /// <exception cref="CertbotConfigurationException">A line is neither a comment, a section header nor <c>key = value</c>.</exception>
    public static CertbotRenewalConfiguration Parse(string name, string path, string text)
    {
        var top = new Dictionary<string, string>(StringComparer.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var webroot = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, string>? current = top;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var section = line.Trim('[', ']', ' ');
                current = section switch
                {
                    "renewalparams" => parameters,
                    "webroot_map" => webroot,
                    _ => null, // a section CertDaemon does not use: its keys are skipped
                };
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CertbotConfigurationException($"{path}:{lineNumber}: expected 'key = value', found '{line}'");
            }

            current?[line[..equals].Trim()] = Unquote(line[(equals + 1)..].Trim(), path, lineNumber);
        }

        return new CertbotRenewalConfiguration(name, path, top, parameters, webroot);
    }

    private static string Unquote(string value, string path, int lineNumber)
    {
        if (value.Length > 0 && (value[0] == '"' || value[0] == '\''))
        {
            var end = value.IndexOf(value[0], 1);
            if (end < 0)
            {
                throw new CertbotConfigurationException($"{path}:{lineNumber}: unterminated quoted value");
            }

            return value[1..end];
        }

        // configobj: an unquoted value ends at an inline comment; a trailing comma marks a (here one-element) list.
        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        if (comment >= 0)
        {
            value = value[..comment].TrimEnd();
        }

        return value.TrimEnd(',').Trim();
    }
}
