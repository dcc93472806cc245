namespace CertDaemon.Aws.Route53;

/// <summary>How Route53 spells names, so ours compare equal to its answers.</summary>
internal static class Route53Names
{
    /// <summary>
    /// Lower case, trailing dot, <c>*</c> as <c>\052</c> (Route53 returns the octal escape for a wildcard label).
    /// </summary>
    public static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var value = name.Trim().ToLowerInvariant().Replace("*", "\\052", StringComparison.Ordinal);
        return value.EndsWith('.') ? value : value + ".";
    }
}
