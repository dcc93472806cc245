using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Reliability;

/// <summary>Captures every category's events of an <see cref="InProcessGraph"/> into one <see cref="CapturingLogger{T}"/>.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly CapturingLogger<CapturingLoggerProvider> _logger = new();

    public IReadOnlyList<CapturedLogEntry> Named(string eventName) => _logger.Named(eventName);

    public ILogger CreateLogger(string categoryName) => _logger;

    public void Dispose()
    {
        // Nothing to flush: the events stay readable after the graph is gone.
    }
}
