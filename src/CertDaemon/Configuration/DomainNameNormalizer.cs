using System.Buffers;
using System.Globalization;
using System.Text;
using System.Net;

namespace CertDaemon.Configuration;

/// <summary>
/// Turns a configured DNS name into the form ACME orders carry: IDNs as punycode (IDNA2008 via <see cref="IdnMapping"/>),
/// lower case, no trailing dot; and refuses what a CA would refuse (Let's Encrypt's policy): IP addresses, single-label
/// names, labels outside LDH or longer than 63 octets, names longer than 253, and wildcards other than a whole leftmost
/// <c>*</c> label.
/// </summary>
internal static class DomainNameNormalizer
{
    public const int MaxNameLength = 253;
    public const int MaxLabelLength = 63;

    private static readonly SearchValues<char> LetterDigitHyphen =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Normalizes <paramref name="name"/>; on failure <paramref name="error"/> says why (without a path).</summary>
    public static bool TryNormalize(string name, bool allowWildcard, out string normalized, out string error)
    {
        normalized = "";
        error = "";
        if (string.IsNullOrWhiteSpace(name))
        {
            error = "empty domain name";
            return false;
        }

        if (ContainsWhitespace(name))
        {
            error = $"\"{name}\" contains whitespace";
            return false;
        }

        if (IPAddress.TryParse(name.Trim('[', ']'), out _))
        {
            error = $"\"{name}\" is an IP address; only DNS names can be validated with DNS-01";
            return false;
        }

        if (name.EndsWith('.'))
        {
            error = $"\"{name}\" ends with a dot; write it without the trailing dot";
            return false;
        }

        var lower = name.ToLowerInvariant();
        var wildcard = lower.StartsWith("*.", StringComparison.Ordinal);
        var rest = wildcard ? lower[2..] : lower;
        if (rest.Contains('*', StringComparison.Ordinal))
        {
            error = $"\"{name}\": '*' is allowed only as the whole leftmost label (as in *.example.com)";
            return false;
        }

        if (wildcard && !allowWildcard)
        {
            error = $"\"{name}\": a wildcard is not allowed here";
            return false;
        }

        var labels = rest.Split('.');
        var ascii = new List<string>(labels.Length);
        foreach (var label in labels)
        {
            if (label.Length == 0)
            {
                error = $"\"{name}\" has an empty label (a leading dot or two dots in a row)";
                return false;
            }

            if (!TryLabelToAscii(label, out var asciiLabel, out error))
            {
                error = $"\"{name}\": {error}";
                return false;
            }

            ascii.Add(asciiLabel);
        }

        if (ascii.Count < 2)
        {
            error = $"\"{name}\" has a single label; a publicly valid name has at least two (example.com)";
            return false;
        }

        if (!ascii[^1].AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            error = $"\"{name}\": the last label is all digits, which no top-level domain is";
            return false;
        }

        normalized = (wildcard ? "*." : "") + string.Join('.', ascii);
        if (normalized.Length > MaxNameLength)
        {
            error = $"\"{name}\" is {normalized.Length} characters long as ASCII (at most {MaxNameLength})";
            normalized = "";
            return false;
        }

        return true;
    }

    private static bool TryLabelToAscii(string label, out string ascii, out string error)
    {
        ascii = label;
        error = "";
        if (!Ascii.IsValid(label))
        {
            try
            {
                ascii = Idn.GetAscii(label);
            }
            catch (ArgumentException e)
            {
                error = $"label \"{label}\" is not a valid internationalized name ({e.Message})";
                return false;
            }
        }
        else if (label.StartsWith("xn--", StringComparison.Ordinal))
        {
            try
            {
                _ = Idn.GetUnicode(label);
            }
            catch (ArgumentException)
            {
                error = $"label \"{label}\" is not valid punycode";
                return false;
            }
        }

        if (ascii.Length > MaxLabelLength)
        {
            error = $"label \"{label}\" is {ascii.Length} characters long as ASCII (at most {MaxLabelLength})";
            return false;
        }

        if (ascii.AsSpan().IndexOfAnyExcept(LetterDigitHyphen) is var at and >= 0)
        {
            error = $"label \"{label}\" contains '{ascii[at]}' (only letters, digits and hyphens are allowed)";
            return false;
        }

        if (ascii[0] == '-' || ascii[^1] == '-')
        {
            error = $"label \"{label}\" starts or ends with a hyphen";
            return false;
        }

        return true;
    }

    private static bool ContainsWhitespace(string name)
    {
        foreach (var c in name)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }
}
