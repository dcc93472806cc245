using System.Globalization;
using System.Numerics;

namespace CertDaemon.Aws.Acm;

/// <summary>
/// Certificate serial numbers as ACM spells them, normalised so they compare with
/// <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2.SerialNumber"/>.
/// </summary>
/// <remarks>
/// AWS's DescribeCertificate returns colon-separated hex bytes (<c>04:a1:...</c>); moto returns the decimal integer.
/// Both become lower-case hex without separators and without leading zeros (DER adds a <c>00</c> byte before a
/// serial whose high bit is set; ACM may or may not show it). Rule: a value with a colon is hex; a value of digits only
/// is decimal; anything else is hex. A serial of a single hex byte written by AWS without colons and without letters
/// would read as decimal - real serials are at least 8 bytes (CA/B Forum: 64 bits of entropy), so this never meets one.
/// </remarks>
internal static class AcmSerial
{
    /// <summary>The normalised form, or null when <paramref name="value"/> is null, empty or not a serial.</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        if (!text.Contains(':', StringComparison.Ordinal) && text.All(char.IsAsciiDigit))
        {
            var number = BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            return TrimZeros(number.ToString("x", CultureInfo.InvariantCulture));
        }

        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        return hex.Length > 0 && hex.All(char.IsAsciiHexDigit) ? TrimZeros(hex) : null;
    }

    /// <summary>Whether two serials, each in any accepted form, are the same number.</summary>
    public static bool AreEqual(string? left, string? right)
    {
        var a = Normalize(left);
        return a is not null && string.Equals(a, Normalize(right), StringComparison.Ordinal);
    }

    private static string TrimZeros(string hex)
    {
        var trimmed = hex.TrimStart('0');
        return trimmed.Length == 0 ? "0" : trimmed;
    }
}
