using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace CertDaemon.Logging;

/// <summary>
/// Wraps a sink and redacts what <see cref="SecretRedactionEnricher"/> cannot reach: the message template text
/// (a template built from data instead of a constant, which should not happen) and the exception's text. Properties are already
/// redacted by the enricher. Only events that contain something to redact are copied.
/// </summary>
internal sealed class RedactingSink(ILogEventSink inner) : ILogEventSink, IDisposable
{
    private static readonly MessageTemplateParser Parser = new();

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var template = logEvent.MessageTemplate;
        var templateText = SecretRedactor.Redact(template.Text);
        var exception = logEvent.Exception;
        if (exception is not null and not RedactedException && SecretRedactor.ContainsSecret(exception.ToString()))
        {
            exception = new RedactedException(exception);
        }

        if (ReferenceEquals(templateText, template.Text) && ReferenceEquals(exception, logEvent.Exception))
        {
            inner.Emit(logEvent);
            return;
        }

        var copy = new LogEvent(
            logEvent.Timestamp,
            logEvent.Level,
            exception,
            ReferenceEquals(templateText, template.Text) ? template : Parser.Parse(templateText),
            logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)),
            logEvent.TraceId ?? default,
            logEvent.SpanId ?? default);
        inner.Emit(copy);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
