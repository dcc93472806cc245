namespace CertDaemon.Kernel;

/// <summary>
/// The one rule for certificate (lineage) names, wherever a name comes from (the configuration, <c>issue --name</c>,
/// a state file, a directory found under <c>live/</c>): letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, starting
/// with a letter or digit (so never <c>.</c> or <c>..</c>, and never one of the store's own hidden entries), at most
/// <see cref="MaxLength"/> characters. certbot's names (<c>example.com</c>, <c>example.com-0001</c>) all qualify.
/// </summary>
/// <remarks>
/// Why 200: a name becomes file names (<c>NAME.json.corrupt-YYYYMMDDTHHMMSSZ</c> is the longest, 230 bytes, under
/// Linux's 255), the ACM tag value <c>certdaemon:name=NAME</c> (at most 256), a Quartz job key (no limit) and part of
/// a fleet S3 key (prefix at most 512 + name, under S3's 1024). An ad-hoc certificate is named after its first
/// domain, so a shorter limit would refuse ad-hoc and imported certbot lineages that work today.
/// </remarks>
internal static class CertificateName
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 200;

    /// <summary>Whether <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Null when <paramref name="name"/> is acceptable, otherwise why not.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the certificate name is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"the certificate name is longer than {MaxLength} characters";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"the certificate name '{name}' must start with a letter or digit";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '_'))
            {
                return $"the certificate name '{name}' may only contain letters, digits, '.', '-' and '_'";
            }
        }

        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is acceptable.</summary>
    public static void Validate(string? name, string parameterName = "name")
    {
        var problem = Problem(name);
        if (problem is not null)
        {
            throw new ArgumentException(problem, parameterName);
        }
    }
}
