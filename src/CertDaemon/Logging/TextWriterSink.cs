using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace CertDaemon.Logging;

/// <summary>Writes formatted events to a <see cref="TextWriter"/> (tests capture the real formats with it).</summary>
internal sealed class TextWriterSink(ITextFormatter formatter, TextWriter output) : ILogEventSink
{
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            formatter.Format(logEvent, output);
            output.Flush();
        }
    }
}
