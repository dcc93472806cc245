using System.CommandLine;
using CertDaemon.Configuration;
using CertDaemon.Renewal;

namespace CertDaemon.Cli;

/// <summary>
/// The prologue every command that needs the configuration shares: resolve <c>--config</c>, load and validate it,
/// refuse key-type changes ACM would reject, and on any problem print them all (one per line, with the JSON path) and
/// exit 78 before the command does anything. Commands with a variation of their own (<c>status --check</c>,
/// <c>import-certbot</c> without a file) call <see cref="LoadAsync(string?, TextWriter, bool, CancellationToken)"/> directly.
/// </summary>
internal static class ConfiguredAction
{
    /// <summary>An action that runs <paramref name="body"/> with the valid configuration, or exits 78.</summary>
    /// <param name="readOnly">The command only reads: the directories need not be writable by this user.</param>
    public static Func<ParseResult, CancellationToken, Task<int>> Create(
        TextWriter error, Func<ParseResult, LoadedConfiguration, CancellationToken, Task<int>> body, bool readOnly = false) =>
        async (parse, cancellationToken) =>
            await LoadAsync(parse.GetValue(CliRoot.ConfigOption), error, readOnly, cancellationToken) is { } configuration
                ? await body(parse, configuration, cancellationToken)
                : ExitCodes.Configuration;

    /// <summary>An action that runs <paramref name="body"/> in the command's service graph, or exits 78.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> WithEnvironment(
        TextWriter output, TextWriter error, Func<ParseResult, CommandEnvironment, CancellationToken, Task<int>> body) =>
        Create(error, async (parse, configuration, cancellationToken) =>
        {
            await using var environment = CommandEnvironment.Create(configuration, parse, output, error);
            return await body(parse, environment, cancellationToken);
        });

    /// <summary>Loads and validates the configuration; on problems prints them (one per line, with path) and returns null.</summary>
    /// <param name="configPath">The <c>--config</c> value, if given.</param>
    /// <param name="readOnly">The command only reads (no write access to the directories needed).</param>
    public static async Task<LoadedConfiguration?> LoadAsync(string? configPath, TextWriter error, bool readOnly, CancellationToken cancellationToken)
    {
        var loaded = readOnly ? ConfigurationLoader.LoadForReading(configPath) : ConfigurationLoader.Load(configPath);
        var result = await AcmKeyTypeGuard.ApplyAsync(loaded, TimeProvider.System, cancellationToken);
        if (result.Succeeded)
        {
            return result.Configuration;
        }

        error.WriteLine($"{result.SourcePath}: the configuration is invalid ({result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}):");
        foreach (var problem in result.Problems)
        {
            error.WriteLine(problem.ToString());
        }

        return null;
    }
}
