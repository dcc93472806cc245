using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace CertDaemon.Testbed.Route53;

/// <summary>
/// Reads a <c>ChangeResourceRecordSetsRequest</c> body. Structural problems (bad XML, wrong namespace, missing
/// elements, unknown action or type, alias records) are InvalidInput, as Route53's request validation reports them;
/// the content rules are <see cref="ChangeBatchApplier"/>'s.
/// </summary>
internal static class ChangeRequestParser
{
    public sealed record Parsed(IReadOnlyList<Route53Change> Changes, string? Comment, string? InvalidInput);

    public static Parsed Parse(byte[] body)
    {
        XDocument document;
        try
        {
            using var stream = new MemoryStream(body);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            return new Parsed([], null, $"Could not parse the request body as XML: {e.Message}");
        }

        var ns = Route53Reply.Ns;
        var root = document.Root;
        if (root is null || root.Name != ns + "ChangeResourceRecordSetsRequest")
        {
            return new Parsed([], null, $"Expected root element {{{ns}}}ChangeResourceRecordSetsRequest, got {root?.Name}");
        }

        var batch = root.Element(ns + "ChangeBatch");
        var comment = batch?.Element(ns + "Comment")?.Value;
        var changeElements = batch?.Element(ns + "Changes")?.Elements(ns + "Change").ToList() ?? [];
        var changes = new List<Route53Change>();
        string? problem = null;
        foreach (var element in changeElements)
        {
            var actionText = element.Element(ns + "Action")?.Value;
            var set = element.Element(ns + "ResourceRecordSet");
            var name = set?.Element(ns + "Name")?.Value;
            var type = set?.Element(ns + "Type")?.Value;
            var ttlText = set?.Element(ns + "TTL")?.Value;
            var values = set?.Element(ns + "ResourceRecords")?.Elements(ns + "ResourceRecord").Select(r => r.Element(ns + "Value")?.Value ?? "").ToList() ?? [];
            long? ttl = long.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
            Route53ChangeAction? action = actionText switch
            {
                "CREATE" => Route53ChangeAction.Create,
                "DELETE" => Route53ChangeAction.Delete,
                "UPSERT" => Route53ChangeAction.Upsert,
                _ => null,
            };
            changes.Add(new Route53Change(action ?? Route53ChangeAction.Create, new Route53RecordSet(name ?? "", type ?? "", ttl, values)));

            problem ??= action is null ? $"Value '{actionText}' at 'changeBatch.changes.{changes.Count}.member.action' failed to satisfy constraint: Member must satisfy enum value set: [CREATE, DELETE, UPSERT]"
                : set is null ? "ResourceRecordSet is required"
                : string.IsNullOrEmpty(name) ? "ResourceRecordSet Name is required"
                : type is null || !Route53RecordTypes.All.Contains(type) ? $"Value '{type}' at 'changeBatch.changes.{changes.Count}.member.resourceRecordSet.type' failed to satisfy constraint: Member must satisfy enum value set"
                : set.Element(ns + "AliasTarget") is not null || set.Element(ns + "SetIdentifier") is not null ? "The Route53 emulator supports simple routing only (no AliasTarget, no SetIdentifier)"
                : ttl is null || values.Count == 0 ? $"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action={actionText}, Name={name}, Type={type}, SetIdentifier=null]"
                : ttl > int.MaxValue ? $"Invalid TTL {ttlText}"
                : null;
        }

        if (changes.Count == 0)
        {
            problem ??= "1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null";
        }

        return new Parsed(changes, comment, problem);
    }
}
