using System.Reflection;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Logging;

/// <summary>
/// Monitoring keys on event names and ids: each id belongs to one name and each name to one id, across the whole
/// program (two folders picking the same free id would make a dashboard count the wrong event).
/// </summary>
public sealed class EventIdTests
{
    [Fact]
    public void Every_event_id_has_one_name_and_every_name_one_id()
    {
        var events = typeof(CertDaemon.Logging.EventIds).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .Select(e => (e.Method, e.Attribute!.EventId, Name: e.Attribute.EventName ?? e.Method))
            .ToList();
        Assert.True(events.Count > 100, $"only {events.Count} [LoggerMessage] methods found");

        var clashes = events.GroupBy(e => e.EventId).Where(g => g.Select(e => e.Name).Distinct().Count() > 1)
            .Select(g => $"id {g.Key}: {string.Join(", ", g.Select(e => $"{e.Name} ({e.Method})"))}")
            .Concat(events.GroupBy(e => e.Name).Where(g => g.Select(e => e.EventId).Distinct().Count() > 1)
                .Select(g => $"{g.Key}: ids {string.Join(", ", g.Select(e => $"{e.EventId} ({e.Method})"))}"))
            .ToList();
        Assert.True(clashes.Count == 0, "event ids and names must pair one to one:\n" + string.Join("\n", clashes));
    }
}
