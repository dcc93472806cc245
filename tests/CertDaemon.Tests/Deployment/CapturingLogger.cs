using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Deployment;

/// <summary>One captured log call: its event, level, rendered message and structured properties.</summary>
public sealed record CapturedLogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Properties)
{
    public string? Property(string name) => Properties.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>An <see cref="ILogger{T}"/> that keeps every entry, so tests can assert on event names and properties.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<CapturedLogEntry> _entries = new();

    public IReadOnlyList<CapturedLogEntry> Entries => [.. _entries];

    public IEnumerable<CapturedLogEntry> Named(string eventName) => _entries.Where(e => e.EventId.Name == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : new Dictionary<string, object?>();
        _entries.Enqueue(new CapturedLogEntry(logLevel, eventId, formatter(state, exception), properties));
    }

    public override string ToString() => string.Join('\n', _entries.Select(e => $"{e.Level} {e.EventId.Name}: {e.Message}"));
}
