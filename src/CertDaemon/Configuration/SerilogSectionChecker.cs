using CertDaemon.Logging;

namespace CertDaemon.Configuration;

/// <summary>
/// Checks the <c>Serilog</c> section against what <see cref="LogLevelSettings"/> reads (only <c>MinimumLevel</c>): a key
/// the daemon would not act on (<c>WriteTo</c>, <c>Enrich</c>...) or a misspelt level is a problem, never ignored.
/// </summary>
internal static class SerilogSectionChecker
{
    public static void Check(ConfigurationNode section)
    {
        section.RejectUnknownKeys(LogLevelSettings.MinimumLevelKey);
        if (!section.IsObject(LogLevelSettings.MinimumLevelKey))
        {
            CheckLevel(section, LogLevelSettings.MinimumLevelKey, section.String(LogLevelSettings.MinimumLevelKey));
            return;
        }

        if (section.Object(LogLevelSettings.MinimumLevelKey) is not { } minimum)
        {
            return;
        }

        minimum.RejectUnknownKeys("Default", "Override");
        CheckLevel(minimum, "Default", minimum.String("Default"));
        if (minimum.Object("Override") is { } overrides && minimum.StringMap("Override") is { } categories)
        {
            foreach (var (category, level) in categories)
            {
                CheckLevel(overrides, category, level);
            }
        }
    }

    private static void CheckLevel(ConfigurationNode node, string key, string? level)
    {
        if (level is not null && !LogLevelSettings.TryParseLevel(level, out _))
        {
            node.Report(key, $"unknown log level \"{level}\" (expected one of {string.Join(", ", LogLevelSettings.LevelNames)})");
        }
    }
}
