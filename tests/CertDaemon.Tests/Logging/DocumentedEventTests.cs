using System.Reflection;
using System.Text.Json;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Tests.Logging;

/// <summary>
/// The sample events in the docs are what the program writes: each one's <c>@mt</c> is the real template of the event
/// its <c>EventId.Name</c> names, its properties are the template's, and a serial is spelled as the program spells it.
/// </summary>
public sealed class DocumentedEventTests
{
    [Fact]
    public void Every_sample_event_in_the_docs_uses_the_real_template_properties_and_serial_format()
    {
        var templates = typeof(CertDaemon.Renewal.RenewalLog).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Where(a => a.EventName is not null)
            .ToDictionary(a => a.EventName!, a => a.Message);
        var samples = new[] { Path.Combine(RepositoryRoot.Path, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs"), "*.md"))
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (Where: $"{Path.GetFileName(file)}:{i + 1}", Line: line.Trim())))
            .Where(l => l.Line.StartsWith("{\"@t\"", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(samples);
        foreach (var (where, line) in samples)
        {
            using var sample = JsonDocument.Parse(line);
            var root = sample.RootElement;
            var name = root.GetProperty("EventId").GetProperty("Name").GetString()!;
            Assert.True(templates.TryGetValue(name, out var template), $"{where}: no event named {name}");
            Assert.True(template == root.GetProperty("@mt").GetString(), $"{where}: {name}'s template is \"{template}\"");
            foreach (var hole in System.Text.RegularExpressions.Regex.Matches(template, @"\{(\w+)[^}]*\}").Select(m => m.Groups[1].Value))
            {
                Assert.True(root.TryGetProperty(hole, out _), $"{where}: {name} lacks the property {hole}");
            }

            if (root.TryGetProperty("Serial", out var serial))
            {
                Assert.Matches("^[0-9a-f]+$", serial.GetString());
            }
        }
    }
}
