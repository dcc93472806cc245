using Serilog.Core;
using Serilog.Events;

namespace CertDaemon.Logging;

/// <summary>
/// Wraps the readable (text) console sink when Debug is off: an event's exception is written as
/// <see cref="ExceptionSummary"/> (type and message of each exception in the chain, no stack frames). A CLI error then
/// stays a few lines instead of a hundred; JSON output keeps the whole exception for machines.
/// </summary>
internal sealed class ExceptionSummarySink(ILogEventSink inner) : ILogEventSink, IDisposable
{
    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.Exception is null or ExceptionSummary)
        {
            inner.Emit(logEvent);
            return;
        }

        inner.Emit(new LogEvent(
            logEvent.Timestamp,
            logEvent.Level,
            new ExceptionSummary(logEvent.Exception),
            logEvent.MessageTemplate,
            logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)),
            logEvent.TraceId ?? default,
            logEvent.SpanId ?? default));
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
