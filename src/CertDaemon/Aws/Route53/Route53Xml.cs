using System.Globalization;
using System.Xml.Linq;

namespace CertDaemon.Aws.Route53;

/// <summary>
/// Route53's REST-XML documents (API 2013-04-01): builds request bodies and reads responses. Readers throw
/// <see cref="FormatException"/> naming the missing or malformed element; the client turns that into
/// <see cref="AwsResponseFormatException"/> with the operation and body.
/// </summary>
internal static class Route53Xml
{
    public static readonly XNamespace Ns = "https://route53.amazonaws.com/doc/2013-04-01/";

    public static XDocument ChangeResourceRecordSetsRequest(ChangeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var changeBatch = new XElement(Ns + "ChangeBatch");
        if (batch.Comment is not null)
        {
            changeBatch.Add(new XElement(Ns + "Comment", batch.Comment));
        }

        changeBatch.Add(new XElement(Ns + "Changes", batch.Changes.Select(change =>
            new XElement(Ns + "Change",
                new XElement(Ns + "Action", ActionName(change.Action)),
                RecordSetElement(change.RecordSet)))));
        return new XDocument(new XDeclaration("1.0", "UTF-8", null), new XElement(Ns + "ChangeResourceRecordSetsRequest", changeBatch));
    }

    public static IReadOnlyList<HostedZone> ListHostedZonesByName(XDocument document)
    {
        var root = Root(document, "ListHostedZonesByNameResponse");
        return Required(root, "HostedZones").Elements(Ns + "HostedZone").Select(HostedZoneFrom).ToList();
    }

    public static HostedZoneDetails GetHostedZone(XDocument document)
    {
        var root = Root(document, "GetHostedZoneResponse");
        var zone = HostedZoneFrom(Required(root, "HostedZone"));

        // Private zones have no DelegationSet: nobody outside the VPC resolves them.
        var nameServers = root.Element(Ns + "DelegationSet")?.Element(Ns + "NameServers")?.Elements(Ns + "NameServer")
            .Select(e => e.Value.Trim()).ToList() ?? [];
        return new HostedZoneDetails(zone, nameServers);
    }

    public static ResourceRecordSetPage ListResourceRecordSets(XDocument document)
    {
        var root = Root(document, "ListResourceRecordSetsResponse");
        var sets = Required(root, "ResourceRecordSets").Elements(Ns + "ResourceRecordSet").Select(RecordSetFrom).ToList();
        var truncated = Bool(root.Element(Ns + "IsTruncated"), "IsTruncated", defaultValue: false);
        var nextName = root.Element(Ns + "NextRecordName")?.Value;
        var nextType = root.Element(Ns + "NextRecordType")?.Value;
        if (truncated && string.IsNullOrEmpty(nextName))
        {
            throw new FormatException("IsTruncated is true but NextRecordName is missing");
        }

        return new ResourceRecordSetPage(sets, truncated, truncated ? nextName : null, truncated ? nextType : null);
    }

    public static ChangeInfo ChangeInfo(XDocument document, string rootName) =>
        ChangeInfoFrom(Required(Root(document, rootName), "ChangeInfo"));

    /// <summary>Route53 returns <c>/hostedzone/Z123</c> and <c>/change/C123</c>; moto returns change ids bare.</summary>
    public static string StripPrefix(string id, string prefix)
    {
        var value = id.Trim();
        return value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value;
    }

    private static XElement RecordSetElement(ResourceRecordSet set)
    {
        var element = new XElement(Ns + "ResourceRecordSet",
            new XElement(Ns + "Name", set.Name),
            new XElement(Ns + "Type", set.Type));
        if (set.Ttl is { } ttl)
        {
            element.Add(new XElement(Ns + "TTL", ttl.ToString(CultureInfo.InvariantCulture)));
        }

        element.Add(new XElement(Ns + "ResourceRecords",
            set.Values.Select(v => new XElement(Ns + "ResourceRecord", new XElement(Ns + "Value", v)))));
        return element;
    }

    private static string ActionName(ChangeAction action) => action switch
    {
        ChangeAction.Create => "CREATE",
        ChangeAction.Delete => "DELETE",
        ChangeAction.Upsert => "UPSERT",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown change action"),
    };

    private static HostedZone HostedZoneFrom(XElement zone)
    {
        var id = StripPrefix(Required(zone, "Id").Value, "/hostedzone/");
        var name = Required(zone, "Name").Value;
        var isPrivate = Bool(zone.Element(Ns + "Config")?.Element(Ns + "PrivateZone"), "Config/PrivateZone", defaultValue: false);
        var count = zone.Element(Ns + "ResourceRecordSetCount") is { } countElement
            ? Long(countElement, "ResourceRecordSetCount")
            : 0;
        return new HostedZone(id, name, isPrivate, count);
    }

    private static ResourceRecordSet RecordSetFrom(XElement set)
    {
        var name = Required(set, "Name").Value;
        var type = Required(set, "Type").Value;
        long? ttl = set.Element(Ns + "TTL") is { } ttlElement ? Long(ttlElement, "TTL") : null;

        // Alias record sets have an AliasTarget and no ResourceRecords: they come back with no values.
        var values = set.Element(Ns + "ResourceRecords")?.Elements(Ns + "ResourceRecord")
            .Select(r => Required(r, "Value").Value).ToList() ?? [];
        return new ResourceRecordSet(name, type, ttl, values);
    }

    private static ChangeInfo ChangeInfoFrom(XElement info)
    {
        var id = StripPrefix(Required(info, "Id").Value, "/change/");
        var statusText = Required(info, "Status").Value.Trim();
        var status = statusText switch
        {
            "PENDING" => ChangeStatus.Pending,
            "INSYNC" => ChangeStatus.InSync,
            _ => throw new FormatException($"ChangeInfo/Status '{statusText}' is neither PENDING nor INSYNC"),
        };
        var submittedText = Required(info, "SubmittedAt").Value.Trim();
        if (!DateTimeOffset.TryParse(submittedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var submitted))
        {
            throw new FormatException($"ChangeInfo/SubmittedAt '{submittedText}' is not a timestamp");
        }

        return new ChangeInfo(id, status, submitted);
    }

    private static XElement Root(XDocument document, string expected)
    {
        var root = document.Root;
        if (root is null || root.Name != Ns + expected)
        {
            throw new FormatException($"expected a <{expected}> document in namespace {Ns.NamespaceName}, got <{root?.Name.ToString() ?? "nothing"}>");
        }

        return root;
    }

    private static XElement Required(XElement parent, string name) =>
        parent.Element(Ns + name) ?? throw new FormatException($"<{parent.Name.LocalName}> has no <{name}> element");

    private static bool Bool(XElement? element, string what, bool defaultValue)
    {
        if (element is null)
        {
            return defaultValue;
        }

        return bool.TryParse(element.Value.Trim(), out var value)
            ? value
            : throw new FormatException($"{what} '{element.Value}' is not true or false");
    }

    private static long Long(XElement element, string what) =>
        long.TryParse(element.Value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{what} '{element.Value}' is not an integer");
}
