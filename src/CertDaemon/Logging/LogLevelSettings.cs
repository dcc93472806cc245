using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;

namespace CertDaemon.Logging;

/// <summary>
/// The levels of the configuration file's <c>Serilog</c> section, read without reflection: either
/// <c>"MinimumLevel": "Debug"</c> or <c>"MinimumLevel": { "Default": "Debug", "Override": { "Quartz": "Information" } }</c>
/// (Serilog.Settings.Configuration's spelling, so existing files keep working). Nothing else is read from that section:
/// sinks, enrichers and filters are fixed in code, so the native (trimmed) binary behaves exactly as the JIT build.
/// </summary>
/// <remarks>Level names are Serilog's (<see cref="LevelNames"/>), compared ignoring case. The configuration check
/// (<c>certdaemon config check</c>) reports an unknown name; here an unknown name leaves the default in place.</remarks>
internal static class LogLevelSettings
{
    /// <summary>The section's key.</summary>
    public const string SectionName = "Serilog";

    /// <summary>The only key of the section.</summary>
    public const string MinimumLevelKey = "MinimumLevel";

    /// <summary>Serilog's level names, lowest first.</summary>
    public static readonly IReadOnlyList<string> LevelNames = ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"];

    /// <summary>Parses a Serilog level name (any case); digits are refused.</summary>
    public static bool TryParseLevel(string? text, out LogEventLevel level)
    {
        level = LogEventLevel.Information;
        var trimmed = text?.Trim();
        var index = trimmed is null ? -1 : IndexOf(trimmed);
        if (index < 0)
        {
            return false;
        }

        level = (LogEventLevel)index;
        return true;
    }

    /// <summary>Applies <c>Serilog:MinimumLevel</c> of <paramref name="configuration"/> (when present) on top of what <paramref name="logger"/> has.</summary>
    public static void Apply(LoggerConfiguration logger, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);
        var minimum = configuration.GetSection(SectionName).GetSection(MinimumLevelKey);
        if (TryParseLevel(minimum.Value, out var level))
        {
            logger.MinimumLevel.Is(level);
            return;
        }

        if (TryParseLevel(minimum["Default"], out var defaultLevel))
        {
            logger.MinimumLevel.Is(defaultLevel);
        }

        foreach (var category in minimum.GetSection("Override").GetChildren())
        {
            if (TryParseLevel(category.Value, out var categoryLevel))
            {
                logger.MinimumLevel.Override(category.Key, categoryLevel);
            }
        }
    }

    /// <summary>Whether the configured default level (<c>MinimumLevel</c> or <c>MinimumLevel:Default</c>) is Debug or lower.</summary>
    public static bool ShowsDebug(IConfiguration? configuration)
    {
        var minimum = configuration?.GetSection(SectionName).GetSection(MinimumLevelKey);
        return minimum is not null
            && (TryParseLevel(minimum.Value, out var level) || TryParseLevel(minimum["Default"], out level))
            && level <= LogEventLevel.Debug;
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < LevelNames.Count; i++)
        {
            if (string.Equals(LevelNames[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
