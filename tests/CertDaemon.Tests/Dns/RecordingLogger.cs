using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Dns;

/// <summary>Keeps every event with its structured properties, so tests can assert on EventIds and names.</summary>
internal sealed class RecordingLogger : ILogger
{
    public ConcurrentQueue<LoggedEvent> Events { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        Events.Enqueue(new LoggedEvent(logLevel, eventId, formatter(state, exception), properties.ToDictionary(p => p.Key, p => p.Value), exception));
    }

    public IReadOnlyList<LoggedEvent> Named(string eventName) => [.. Events.Where(e => e.EventId.Name == eventName)];
}

internal sealed record LoggedEvent(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Properties, Exception? Exception);
