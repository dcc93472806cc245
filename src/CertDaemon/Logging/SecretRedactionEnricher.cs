using Serilog.Core;
using Serilog.Events;

namespace CertDaemon.Logging;

/// <summary>
/// Rewrites string property values (also inside sequences, structures and dictionaries) that
/// <see cref="SecretRedactor"/> recognises, before any sink sees the event. Non-string scalars are left alone.
/// The message template text and the exception are handled by <see cref="RedactingSink"/> on the default sinks.
/// </summary>
internal sealed class SecretRedactionEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        List<LogEventProperty>? replacements = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var redacted = Redact(value);
            if (!ReferenceEquals(redacted, value))
            {
                (replacements ??= []).Add(new LogEventProperty(name, redacted));
            }
        }

        if (replacements is not null)
        {
            foreach (var property in replacements)
            {
                logEvent.AddOrUpdateProperty(property);
            }
        }
    }

    /// <summary>The value with secrets replaced; the same instance when nothing changed.</summary>
    internal static LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                var redactedText = SecretRedactor.Redact(text);
                return ReferenceEquals(redactedText, text) ? value : new ScalarValue(redactedText);

            case SequenceValue sequence:
                var elements = RedactAll(sequence.Elements);
                return elements is null ? value : new SequenceValue(elements);

            case StructureValue structure:
                List<LogEventProperty>? properties = null;
                for (var i = 0; i < structure.Properties.Count; i++)
                {
                    var property = structure.Properties[i];
                    var redacted = Redact(property.Value);
                    if (!ReferenceEquals(redacted, property.Value) && properties is null)
                    {
                        properties = [.. structure.Properties.Take(i)];
                    }

                    properties?.Add(ReferenceEquals(redacted, property.Value) ? property : new LogEventProperty(property.Name, redacted));
                }

                return properties is null ? value : new StructureValue(properties, structure.TypeTag);

            case DictionaryValue dictionary:
                var changed = false;
                var pairs = new List<KeyValuePair<ScalarValue, LogEventPropertyValue>>(dictionary.Elements.Count);
                foreach (var (key, element) in dictionary.Elements)
                {
                    var redactedKey = (ScalarValue)Redact(key);
                    var redactedElement = Redact(element);
                    changed |= !ReferenceEquals(redactedKey, key) || !ReferenceEquals(redactedElement, element);
                    pairs.Add(new(redactedKey, redactedElement));
                }

                return changed ? new DictionaryValue(pairs) : value;

            default:
                return value;
        }
    }

    private static List<LogEventPropertyValue>? RedactAll(IReadOnlyList<LogEventPropertyValue> values)
    {
        List<LogEventPropertyValue>? result = null;
        for (var i = 0; i < values.Count; i++)
        {
            var redacted = Redact(values[i]);
            if (!ReferenceEquals(redacted, values[i]) && result is null)
            {
                result = [.. values.Take(i)];
            }

            result?.Add(redacted);
        }

        return result;
    }
}
