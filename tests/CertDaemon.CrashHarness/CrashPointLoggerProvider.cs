using Microsoft.Extensions.Logging;

namespace CertDaemon.CrashHarness;

/// <summary>Hands every event name the product logs (synchronously, on the logging thread) to the <see cref="CrashPoint"/>.</summary>
internal sealed class CrashPointLoggerProvider(CrashPoint point) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(point);

    public void Dispose()
    {
    }

    private sealed class Logger(CrashPoint point) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name is { } name)
            {
                point.Event(name);
            }
        }
    }
}
