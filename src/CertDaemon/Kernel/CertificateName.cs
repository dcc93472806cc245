namespace CertDaemon.Kernel;

/// <summary>
/// The rule for certificate (lineage) names, which become file and directory names under <c>live/</c>,
/// <c>archive/</c> and the state directory: letters, digits, <c>.</c>, <c>_</c> and <c>-</c>, starting with a
/// letter or digit (so never <c>.</c> or <c>..</c>, and never one of the store's own hidden entries), at most 200
/// characters. certbot's names (<c>example.com</c>, <c>example.com-0001</c>) all qualify.
/// </summary>
public static class CertificateName
{
    private const int MaxLength = 200;

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
