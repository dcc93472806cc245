using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Configuration;

/// <summary>Configuration log events (EventIds 8000-8999, shared with Cli/).</summary>
internal static partial class ConfigurationLog
{
    /// <summary>Every problem as <c>PATH: MESSAGE</c>; messages never contain secrets (EAB keys are not echoed).</summary>
    [LoggerMessage(
        EventId = EventIds.Cli + 1,
        EventName = "ConfigurationInvalid",
        Level = LogLevel.Critical,
        Message = "The configuration is invalid: {Problems}")]
    public static partial void ConfigurationInvalid(ILogger logger, IReadOnlyList<string> problems);

    public static void ConfigurationInvalid(ILogger logger, IEnumerable<ConfigurationProblem> problems) =>
        ConfigurationInvalid(logger, problems.Select(p => p.ToString()).ToList());

    [LoggerMessage(
        EventId = EventIds.Cli + 2,
        EventName = "ConfigurationReloaded",
        Level = LogLevel.Information,
        Message = "Configuration reloaded from {Path}: {CertificateCount} configured certificates")]
    public static partial void ConfigurationReloaded(ILogger logger, string path, int certificateCount);
}
