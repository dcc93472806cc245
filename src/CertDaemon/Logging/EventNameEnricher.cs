using Serilog.Core;
using Serilog.Events;

namespace CertDaemon.Logging;

/// <summary>
/// Adds <c>EventName</c> for the text format's output template (which cannot reach into the <c>EventId</c>
/// structure Serilog.Extensions.Logging attaches): the event's name, else the last segment of its
/// <c>SourceContext</c> (the logger category), else <c>-</c>.
/// </summary>
internal sealed class EventNameEnricher : ILogEventEnricher
{
    public const string PropertyName = "EventName";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(propertyFactory);
        logEvent.AddPropertyIfAbsent(propertyFactory.CreateProperty(PropertyName, NameOf(logEvent)));
    }

    private static string NameOf(LogEvent logEvent)
    {
        if (logEvent.Properties.TryGetValue("EventId", out var eventId) && eventId is StructureValue structure)
        {
            foreach (var property in structure.Properties)
            {
                if (property.Name == "Name" && property.Value is ScalarValue { Value: string { Length: > 0 } name })
                {
                    return name;
                }
            }
        }

        if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string { Length: > 0 } category })
        {
            return category[(category.LastIndexOf('.') + 1)..];
        }

        return "-";
    }
}
