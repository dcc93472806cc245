using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Testbed;

/// <summary>One logged event with its structured properties (what a CLEF line would carry).</summary>
public sealed record CapturedLogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Properties, Exception? Exception)
{
    public string? Property(string name) => Properties.TryGetValue(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
}

/// <summary>Keeps every event, so tests assert on stable event names, ids and properties rather than on text.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyList<CapturedLogEntry> Entries => [.. _entries];

    public IReadOnlyList<CapturedLogEntry> Named(string eventName) => [.. _entries.Where(e => e.EventId.Name == eventName)];

    public int Count(string eventName) => _entries.Count(e => e.EventId.Name == eventName);

    public IReadOnlyList<object?> Values(string eventName, string property) =>
        [.. Named(eventName).Select(e => e.Properties.GetValueOrDefault(property))];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : new Dictionary<string, object?>();
        _entries.Enqueue(new CapturedLogEntry(logLevel, eventId, formatter(state, exception), properties, exception));
    }

    public override string ToString() => string.Join('\n', _entries.Select(e => $"{e.Level} {e.EventId.Name}: {e.Message}"));
}
