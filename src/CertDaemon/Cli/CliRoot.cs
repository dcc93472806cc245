using System.CommandLine;
using CertDaemon.Logging;

namespace CertDaemon.Cli;

/// <summary>The command-line root: builds every command and maps outcomes to the documented exit codes.</summary>
internal static class CliRoot
{
    /// <summary><c>--config PATH</c>: default <c>$CERTDAEMON_CONFIG</c>, then <c>/etc/certdaemon/certdaemon.json</c>.</summary>
    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = "Configuration file (default: $CERTDAEMON_CONFIG, then /etc/certdaemon/certdaemon.json)",
        Recursive = true,
    };

    /// <summary><c>--log-format auto|json|text</c>: auto is JSON under systemd, text on a terminal.</summary>
    public static readonly Option<string> LogFormatOption = new("--log-format")
    {
        Description = "Log format: auto (JSON under systemd, text otherwise), json or text",
        Recursive = true,
        DefaultValueFactory = _ => "auto",
        Validators =
        {
            // An unknown format must not fall back silently: the operator's log pipeline expects what they asked for.
            result =>
            {
                if (!LoggingSetup.TryParseFormat(result.GetValueOrDefault<string>(), out _))
                {
                    result.AddError($"--log-format must be auto, json or text, not \"{result.GetValueOrDefault<string>()}\"");
                }
            },
        },
    };

    /// <summary>
    /// <c>--verbose</c>: log at Debug and show the stack trace of every logged error (a readable log otherwise shows
    /// each error's cause in a few lines).
    /// </summary>
    public static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = "Log at Debug level, with the stack traces of errors",
        Recursive = true,
    };

    /// <summary>
    /// Runs the command line against this process's standard output and error. Standard output is a writer with a
    /// 16 KiB buffer that still flushes after every write call (so a line printed while a command works shows at
    /// once): a command that writes its whole answer in one call (<c>status</c>) costs a few system calls, not one
    /// per 256 characters as with <see cref="Console.Out"/>.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        await using var output = TextWriter.Synchronized(
            new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 16 * 1024) { AutoFlush = true });
        return await RunAsync(args, output, Console.Error, CancellationToken.None);
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var root = new RootCommand("CertDaemon: certificates from any ACME CA via Route53 DNS-01, deployed to nginx and ACM.")
        {
            ConfigOption,
            LogFormatOption,
            VerboseOption,
        };
        foreach (var command in new[]
        {
            IssueCommand.Create(output, error),
            ConfigCommand.Create(output, error),
            IamPolicyCommand.Create(output, error),
            StatusCommand.Create(output, error),
            MetricsCommand.Create(output, error),
            RenewCommand.Create(output, error),
            RevokeCommand.Create(output, error),
            DeleteCommand.Create(output, error),
            ImportCertbotCommand.Create(output, error),
            RunCommand.Create(output, error),
            SyncCommand.Create(output, error),
        })
        {
            root.Add(command);
        }

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine(parseError.Message);
            }

            error.WriteLine("Run 'certdaemon --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }

    public static LogFormat ParseLogFormat(ParseResult parse) =>
        LoggingSetup.TryParseFormat(parse.GetValue(LogFormatOption), out var format) ? format : LogFormat.Auto;
}
