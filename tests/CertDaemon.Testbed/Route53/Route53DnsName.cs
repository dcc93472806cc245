using System.Text;

namespace CertDaemon.Testbed.Route53;

/// <summary>
/// Route53's spelling of names: lower case, trailing dot, and every character outside <c>a-z 0-9 - _ .</c> as a
/// three-digit octal escape (so <c>*</c> is <c>\052</c>). Ordering is by labels from the right ("com.example.www").
/// </summary>
internal static class Route53DnsName
{
    public static bool TryNormalize(string? name, out string wire)
    {
        wire = "";
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var decoded = Decode(name.Trim());
        if (decoded is null)
        {
            return false;
        }

        if (!decoded.EndsWith('.'))
        {
            decoded += ".";
        }

        if (decoded == "." || decoded.Contains("..", StringComparison.Ordinal) || decoded.StartsWith('.'))
        {
            return false;
        }

        var builder = new StringBuilder(decoded.Length + 8);
        foreach (var c in decoded)
        {
            var lower = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.')
            {
                builder.Append(lower);
            }
            else if (lower <= 0xFF)
            {
                builder.Append('\\').Append(Convert.ToString(lower, 8).PadLeft(3, '0'));
            }
            else
            {
                return false;
            }
        }

        wire = builder.ToString();
        return wire.Length <= 255;
    }

    /// <summary>The name as DNS sees it (octal escapes decoded): <c>\052.a.test.</c> becomes <c>*.a.test.</c>.</summary>
    public static string Unescape(string wire) => Decode(wire) ?? wire;

    public static bool IsInZone(string wireName, string wireZone) =>
        wireName == wireZone || wireName.EndsWith("." + wireZone, StringComparison.Ordinal);

    /// <summary>Compares by labels from the right, ordinal within a label.</summary>
    public static int CompareReversed(string left, string right)
    {
        var a = left.TrimEnd('.').Split('.');
        var b = right.TrimEnd('.').Split('.');
        for (int i = a.Length - 1, j = b.Length - 1; i >= 0 && j >= 0; i--, j--)
        {
            var c = string.CompareOrdinal(a[i], b[j]);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private static string? Decode(string name)
    {
        if (!name.Contains('\\', StringComparison.Ordinal))
        {
            return name;
        }

        var builder = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '\\')
            {
                builder.Append(name[i]);
                continue;
            }

            if (i + 3 < name.Length && IsOctal(name[i + 1]) && IsOctal(name[i + 2]) && IsOctal(name[i + 3]))
            {
                builder.Append((char)(((name[i + 1] - '0') * 64) + ((name[i + 2] - '0') * 8) + (name[i + 3] - '0')));
                i += 3;
            }
            else if (i + 1 < name.Length)
            {
                builder.Append(name[i + 1]);
                i++;
            }
            else
            {
                return null;
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
