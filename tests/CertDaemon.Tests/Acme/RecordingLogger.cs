using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Acme;

/// <summary>Keeps the event names and rendered messages a component logged.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(string EventName, string Message)> _entries = new();

    public IReadOnlyList<(string EventName, string Message)> Entries => [.. _entries];

    public int Count(string eventName) => _entries.Count(e => e.EventName == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId.Name ?? "", formatter(state, exception)));
}
