using System.Text;

namespace CertDaemon.Testbed.Route53;

/// <summary>
/// The wire form of a TXT (or SPF) value: one or more double-quoted character strings separated by blanks, each at
/// most 255 characters once <c>\"</c>, <c>\\</c> and <c>\ddd</c> (octal) escapes are decoded.
/// </summary>
internal static class TxtRdata
{
    public const int MaxStringLength = 255;

    /// <summary>Parses <paramref name="value"/>; on failure <paramref name="problem"/> is Route53's problem name.</summary>
    public static bool TryParse(string value, out IReadOnlyList<string> strings, out string problem)
    {
        var result = new List<string>();
        strings = result;
        problem = "";
        var i = 0;
        while (true)
        {
            while (i < value.Length && value[i] is ' ' or '\t')
            {
                i++;
            }

            if (i == value.Length)
            {
                break;
            }

            if (value[i] != '"')
            {
                problem = "InvalidCharacterString (Value should be enclosed in quotation marks)";
                return false;
            }

            i++;
            var text = new StringBuilder();
            var closed = false;
            while (i < value.Length)
            {
                var c = value[i];
                if (c == '"')
                {
                    closed = true;
                    i++;
                    break;
                }

                if (c == '\\' && i + 3 < value.Length && IsOctal(value[i + 1]) && IsOctal(value[i + 2]) && IsOctal(value[i + 3]))
                {
                    text.Append((char)(((value[i + 1] - '0') * 64) + ((value[i + 2] - '0') * 8) + (value[i + 3] - '0')));
                    i += 4;
                }
                else if (c == '\\' && i + 1 < value.Length)
                {
                    text.Append(value[i + 1]);
                    i += 2;
                }
                else
                {
                    text.Append(c);
                    i++;
                }
            }

            if (!closed)
            {
                problem = "UnbalancedQuotes";
                return false;
            }

            if (text.Length > MaxStringLength)
            {
                problem = "TXTRDATATooLong";
                return false;
            }

            if (i < value.Length && value[i] is not (' ' or '\t'))
            {
                problem = "InvalidCharacterString (Value should be enclosed in quotation marks)";
                return false;
            }

            result.Add(text.ToString());
        }

        if (result.Count == 0)
        {
            problem = "InvalidCharacterString (Value should be enclosed in quotation marks)";
            return false;
        }

        return true;
    }

    /// <summary>What a resolver sees for one value: its character strings concatenated (RFC 7208 3.3 style).</summary>
    public static string Concatenate(string value) =>
        TryParse(value, out var strings, out _) ? string.Concat(strings) : value;

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
