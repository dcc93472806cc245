using System.Globalization;
using System.Text;

namespace CertDaemon.Dns;

/// <summary>
/// The one spelling of a domain name used for comparisons: lower case, trailing dot, escapes decoded.
/// </summary>
/// <remarks>
/// Route53 returns names with a trailing dot and characters outside <c>a-z0-9-_.</c> as three-digit octal escapes
/// (<c>\052</c> for <c>*</c>); ACME gives names without a trailing dot; DNS libraries may hand back an IDN label in
/// its Unicode form (<c>bücher</c>) where the wire and the order have <c>xn--bcher-kva</c>. All normalise to the same
/// ASCII string.
/// </remarks>
internal static class DnsName
{
    private static readonly IdnMapping Idn = new();

    /// <summary>Normalises <paramref name="name"/>: decodes <c>\ooo</c> octal and <c>\c</c> escapes, lower-cases, appends a trailing dot.</summary>
    public static string Normalize(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var text = new StringBuilder(name.Length + 1);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '\\' && i + 3 < name.Length && IsOctalDigit(name[i + 1]) && IsOctalDigit(name[i + 2]) && IsOctalDigit(name[i + 3]))
            {
                text.Append((char)Convert.ToInt32(name.Substring(i + 1, 3), 8));
                i += 3;
            }
            else if (c == '\\' && i + 1 < name.Length)
            {
                text.Append(name[i + 1]);
                i++;
            }
            else
            {
                text.Append(c);
            }
        }

        if (text.Length == 0 || text[^1] != '.')
        {
            text.Append('.');
        }

        return ToAscii(text.ToString()).ToLower(CultureInfo.InvariantCulture);
    }

    /// <summary>Each label with characters outside ASCII as its A-label (punycode); ASCII labels unchanged.</summary>
    private static string ToAscii(string name)
    {
        if (name.All(char.IsAscii))
        {
            return name;
        }

        var labels = name.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            if (!labels[i].All(char.IsAscii))
            {
                labels[i] = Idn.GetAscii(labels[i]);
            }
        }

        return string.Join('.', labels);
    }

    /// <summary>Whether <paramref name="name"/> equals <paramref name="zone"/> or lies below it (both normalised).</summary>
    public static bool IsInside(string name, string zone)
    {
        var normalizedName = Normalize(name);
        var normalizedZone = Normalize(zone);
        return normalizedZone == "." || normalizedName == normalizedZone
            || normalizedName.EndsWith("." + normalizedZone, StringComparison.Ordinal);
    }

    /// <summary>The name and each parent down to (and including) the top-level label, e.g. <c>a.b.test.</c>, <c>b.test.</c>, <c>test.</c>.</summary>
    public static IReadOnlyList<string> SelfAndParents(string name)
    {
        var normalized = Normalize(name);
        var labels = normalized.TrimEnd('.').Split('.');
        var result = new List<string>(labels.Length);
        for (var i = 0; i < labels.Length; i++)
        {
            result.Add(string.Join('.', labels[i..]) + ".");
        }

        return result;
    }

    private static bool IsOctalDigit(char c) => c is >= '0' and <= '7';
}
