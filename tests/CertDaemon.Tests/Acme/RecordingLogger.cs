using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Acme;

/// <summary>Keeps the event names and rendered messages a component logged.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(string EventName, string Message, IReadOnlyDictionary<string, object?> Properties)> _entries = new();

    public IReadOnlyList<(string EventName, string Message, IReadOnlyDictionary<string, object?> Properties)> Entries => [.. _entries];

    public int Count(string eventName) => _entries.Count(e => e.EventName == eventName);

    /// <summary>The values of one structured property over every event named <paramref name="eventName"/>, in order.</summary>
    public IReadOnlyList<object?> Values(string eventName, string property) =>
        [.. _entries.Where(e => e.EventName == eventName).Select(e => e.Properties.GetValueOrDefault(property))];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((
            eventId.Name ?? "",
            formatter(state, exception),
            state is IEnumerable<KeyValuePair<string, object?>> properties ? properties.ToDictionary(p => p.Key, p => p.Value) : new Dictionary<string, object?>()));
}
