using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;

namespace CertDaemon.Logging;

/// <summary>
/// Prefixes each event with its syslog priority (<c>&lt;3&gt;</c> for errors, sd-daemon(3)) when stdout is the
/// journal: journald strips the prefix and files the line at that priority, so <c>journalctl -p warning</c> works
/// and <c>journalctl -o cat</c> still shows the bare JSON line.
/// </summary>
internal sealed class JournalLevelPrefixFormatter(ITextFormatter inner) : ITextFormatter
{
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);
        output.Write('<');
        output.Write(SyslogPriority(logEvent.Level).ToString(CultureInfo.InvariantCulture));
        output.Write('>');
        inner.Format(logEvent, output);
    }

    internal static int SyslogPriority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,       // LOG_CRIT (Microsoft.Extensions.Logging's Critical)
        LogEventLevel.Error => 3,       // LOG_ERR
        LogEventLevel.Warning => 4,     // LOG_WARNING
        LogEventLevel.Information => 6, // LOG_INFO
        _ => 7,                         // LOG_DEBUG
    };
}
