using System.Globalization;
using System.Text.RegularExpressions;

namespace CertDaemon.Configuration;

/// <summary>
/// Durations in the configuration are written <c>[d.]hh:mm:ss[.fffffff]</c> (TimeSpan's constant format, e.g. <c>00:05:00</c>).
/// Bare numbers are refused: <see cref="TimeSpan.Parse(string)"/> would read <c>"300"</c> as 300 days.
/// </summary>
internal static partial class DurationFormat
{
    /// <summary>How an example duration is shown in messages.</summary>
    public const string Hint = "a duration like \"00:05:00\" ([d.]hh:mm:ss)";

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        return Shape().IsMatch(text)
            && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value);
    }

    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^-?(\d{1,8}\.)?\d{1,2}:\d{2}:\d{2}(\.\d{1,7})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
