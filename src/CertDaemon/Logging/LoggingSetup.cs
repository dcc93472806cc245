using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;
using Serilog.Sinks.SystemConsole.Themes;

namespace CertDaemon.Logging;

/// <summary>
/// Serilog for every entry point: the daemon's host (<see cref="UseCertDaemonSerilog(IHostBuilder, IConfiguration?, LogFormat)"/>)
/// and one-shot commands (<see cref="CreateLoggerFactory"/>).
/// </summary>
/// <remarks>
/// <para>
/// Defaults, then the levels of the configuration file's <c>Serilog</c> section on top (<see cref="LogLevelSettings"/>:
/// <c>MinimumLevel</c> and its <c>Override</c>s). The defaults are: minimum level Information; <c>Microsoft</c>,
/// <c>System.Net.Http</c> and <c>Quartz</c> at Warning; one console sink. Everything is configured in code, without
/// reflection, so the trimmed native binary logs exactly as the JIT build does.
/// </para>
/// <para>
/// JSON is CLEF from <see cref="CompactJsonFormatter"/>, not the rendered variant: <c>@mt</c> keeps the constant
/// template, so events group by template and every value stays a typed property (<c>Serial</c>, <c>NotAfter</c>) for
/// jq; the rendered formatter would put the text in <c>@m</c> and replace the template with a hash. Events logged
/// through Microsoft.Extensions.Logging carry <c>"EventId":{"Id":2001,"Name":"CertificateIssued"}</c>, so
/// <c>journalctl -u certdaemon -o cat | jq 'select(.EventId.Name=="CertificateIssued")'</c> selects them.
/// </para>
/// <para>
/// Secrets: <see cref="SecretRedactionEnricher"/> rewrites property values that look like PEM private keys or AWS
/// secret access keys, and <see cref="RedactingSink"/> does the same for template text and exceptions on the
/// console sink. It is a net under the rule "never log secrets", not a replacement: see <see cref="SecretRedactor"/>
/// for what it cannot recognise.
/// </para>
/// </remarks>
internal static class LoggingSetup
{
    /// <summary>The readable line: time, level, event name, message.</summary>
    public const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {EventName}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Categories that are chatty at Information and quiet by default (Warning).</summary>
    public static readonly IReadOnlyList<string> QuietCategories = ["Microsoft", "System.Net.Http", "Quartz"];

    /// <summary>Parses a <c>--log-format</c> value: <c>json</c>, <c>text</c> or <c>auto</c> (any case).</summary>
    public static bool TryParseFormat(string? value, out LogFormat format)
    {
        format = LogFormat.Auto;
        return value is not null
            && !int.TryParse(value, out _)
            && Enum.TryParse(value.Trim(), ignoreCase: true, out format)
            && Enum.IsDefined(format);
    }

    /// <summary>
    /// <see cref="LogFormat.Json"/> or <see cref="LogFormat.Text"/>: an explicit choice wins; <see cref="LogFormat.Auto"/>
    /// is JSON when systemd started us (<c>JOURNAL_STREAM</c> or <c>INVOCATION_ID</c> set), text otherwise.
    /// </summary>
    public static LogFormat ResolveFormat(LogFormat requested, Func<string, string?>? environment = null)
    {
        if (requested != LogFormat.Auto)
        {
            return requested;
        }

        environment ??= Environment.GetEnvironmentVariable;
        return IsSet(environment("JOURNAL_STREAM")) || IsSet(environment("INVOCATION_ID")) ? LogFormat.Json : LogFormat.Text;
    }

    /// <summary>A Serilog logger writing to the console in the resolved format.</summary>
    /// <param name="configuration">The merged configuration (<see cref="Configuration.LoadedConfiguration.Configuration"/>); <see langword="null"/> for defaults only.</param>
    /// <param name="format">The requested format; <see cref="LogFormat.Auto"/> decides from the environment.</param>
    /// <param name="destination">stdout for the daemon, stderr for commands whose stdout is their result.</param>
    /// <param name="verbose"><c>--verbose</c>: Debug and above, whatever the configuration says, with stack traces.</param>
    public static Logger CreateLogger(IConfiguration? configuration, LogFormat format, LogDestination destination, bool verbose = false)
    {
        var resolved = ResolveFormat(format);
        // journald sets JOURNAL_STREAM for a service's stdout/stderr: there, a <N> prefix sets each line's priority.
        var journal = IsSet(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
        LogEventLevel? standardErrorFrom = destination == LogDestination.StandardError ? LogEventLevel.Verbose : null;

        return Configure(new LoggerConfiguration(), configuration, resolved, verbose, writeTo =>
        {
            if (resolved == LogFormat.Json)
            {
                writeTo.Console(Prefixed(new CompactJsonFormatter(), journal), standardErrorFromLevel: standardErrorFrom);
            }
            else if (journal)
            {
                writeTo.Console(Prefixed(new MessageTemplateTextFormatter(TextTemplate), journal: true), standardErrorFromLevel: standardErrorFrom);
            }
            else
            {
                writeTo.Console(outputTemplate: TextTemplate, standardErrorFromLevel: standardErrorFrom, theme: AnsiConsoleTheme.Code, applyThemeToRedirectedOutput: false);
            }
        }).CreateLogger();
    }

    /// <summary>
    /// A logger factory for one-shot commands (<c>issue</c>, <c>renew</c>, <c>config check</c>...): same configuration
    /// as the daemon, to stderr by default. Dispose it before exiting so buffered events are written.
    /// </summary>
    public static ILoggerFactory CreateLoggerFactory(
        IConfiguration? configuration,
        LogFormat format = LogFormat.Auto,
        LogDestination destination = LogDestination.StandardError,
        bool verbose = false) =>
        new SerilogLoggerFactory(CreateLogger(configuration, format, destination, verbose), dispose: true);

    /// <summary>Makes the host log through Serilog (stdout, the journal under systemd); the host disposes the logger.</summary>
    public static IHostBuilder UseCertDaemonSerilog(this IHostBuilder builder, IConfiguration? configuration, LogFormat format = LogFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseSerilog(CreateLogger(configuration, format, LogDestination.StandardOutput), dispose: true);
    }

    /// <summary>Makes the host log through Serilog (stdout, the journal under systemd); the host disposes the logger.</summary>
    public static HostApplicationBuilder UseCertDaemonSerilog(this HostApplicationBuilder builder, IConfiguration? configuration, LogFormat format = LogFormat.Auto, bool verbose = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(CreateLogger(configuration, format, LogDestination.StandardOutput, verbose), dispose: true);
        return builder;
    }

    /// <summary>A logger writing the resolved format to <paramref name="output"/> (tests; no console, no journal prefix).</summary>
    internal static Logger CreateLogger(IConfiguration? configuration, LogFormat format, TextWriter output, bool verbose = false)
    {
        var resolved = ResolveFormat(format);
        ITextFormatter formatter = resolved == LogFormat.Json ? new CompactJsonFormatter() : new MessageTemplateTextFormatter(TextTemplate);
        return Configure(new LoggerConfiguration(), configuration, resolved, verbose, writeTo => writeTo.Sink(new TextWriterSink(formatter, output))).CreateLogger();
    }

    private static LoggerConfiguration Configure(
        LoggerConfiguration logger,
        IConfiguration? configuration,
        LogFormat resolved,
        bool verbose,
        Action<Serilog.Configuration.LoggerSinkConfiguration> consoleSink)
    {
        logger.MinimumLevel.Information();
        foreach (var category in QuietCategories)
        {
            logger.MinimumLevel.Override(category, LogEventLevel.Warning);
        }

        // First, so the sink sees redacted properties.
        logger.Enrich.With<SecretRedactionEnricher>();
        if (resolved == LogFormat.Text)
        {
            logger.Enrich.With<EventNameEnricher>();
        }

        var sink = Serilog.Configuration.LoggerSinkConfiguration.CreateSink(consoleSink);
        if (resolved == LogFormat.Text && !verbose && !LogLevelSettings.ShowsDebug(configuration))
        {
            // A person reads this: the cause in a few lines, the stack frames only when asked for (Debug).
            sink = new ExceptionSummarySink(sink);
        }

        logger.WriteTo.Sink(new RedactingSink(sink));

        if (configuration is not null)
        {
            LogLevelSettings.Apply(logger, configuration);
        }

        if (verbose)
        {
            logger.MinimumLevel.Debug();
        }

        return logger;
    }

    private static ITextFormatter Prefixed(ITextFormatter formatter, bool journal) =>
        journal ? new JournalLevelPrefixFormatter(formatter) : formatter;

    private static bool IsSet(string? value) => !string.IsNullOrEmpty(value);
}
