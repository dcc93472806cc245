using System.Diagnostics.CodeAnalysis;

namespace CertDaemon.Kernel;

/// <summary>
/// How the state file, the status output, the metrics and the fleet manifest name an ACM deploy target:
/// <c>acm:REGION</c>. Operators and their dashboards read this spelling, so it is written in one place.
/// </summary>
internal static class AcmTargetName
{
    public const string Prefix = "acm:";

    /// <summary>The target name of <paramref name="region"/>: <c>acm:us-east-1</c>.</summary>
    public static string For(string region) => Prefix + region;

    /// <summary>The region of an ACM target name; false for any other target (e.g. <c>nginx</c>).</summary>
    public static bool TryGetRegion(string target, [NotNullWhen(true)] out string? region)
    {
        region = target.StartsWith(Prefix, StringComparison.Ordinal) ? target[Prefix.Length..] : null;
        return region is not null;
    }
}
