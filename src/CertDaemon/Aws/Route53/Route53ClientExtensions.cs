using System.Runtime.CompilerServices;

namespace CertDaemon.Aws.Route53;

/// <summary>Paging helpers over <see cref="IRoute53Client.ListResourceRecordSetsAsync"/>.</summary>
internal static class Route53ClientExtensions
{
    /// <summary>
    /// Every record set of the zone from (<paramref name="startName"/>, <paramref name="startType"/>) on, in Route53's
    /// order, following NextRecordName/NextRecordType until the listing is no longer truncated.
    /// </summary>
    public static async IAsyncEnumerable<ResourceRecordSet> ListAllResourceRecordSetsAsync(
        this IRoute53Client client,
        string hostedZoneId,
        string? startName = null,
        string? startType = null,
        int? pageSize = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        string? name = startName, type = startType;
        while (true)
        {
            var page = await client.ListResourceRecordSetsAsync(hostedZoneId, name, type, pageSize, cancellationToken);
            foreach (var set in page.RecordSets)
            {
                yield return set;
            }

            if (!page.IsTruncated)
            {
                yield break;
            }

            if (string.Equals(page.NextRecordName, name, StringComparison.Ordinal) && string.Equals(page.NextRecordType, type, StringComparison.Ordinal))
            {
                // Only weighted/latency sets sharing one name and type can page like this (NextRecordIdentifier),
                // which the interface cannot express; stop instead of asking for the same page forever.
                throw new InvalidOperationException(
                    $"Route53 paging did not advance past {name} {type} in zone {hostedZoneId} (record sets with SetIdentifier are not supported).");
            }

            (name, type) = (page.NextRecordName, page.NextRecordType);
        }
    }

    /// <summary>
    /// The record sets named exactly <paramref name="name"/> (any type, or only <paramref name="type"/>), reading only
    /// the pages needed: the listing starts at that name and stops at the first other name.
    /// </summary>
    public static async Task<IReadOnlyList<ResourceRecordSet>> GetRecordSetsForNameAsync(
        this IRoute53Client client, string hostedZoneId, string name, string? type, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var wanted = Route53Names.Canonical(name);
        var result = new List<ResourceRecordSet>();
        await foreach (var set in client.ListAllResourceRecordSetsAsync(hostedZoneId, name, type, pageSize: null, cancellationToken))
        {
            if (Route53Names.Canonical(set.Name) != wanted)
            {
                break;
            }

            if (type is null || string.Equals(set.Type, type, StringComparison.OrdinalIgnoreCase))
            {
                result.Add(set);
            }
            else
            {
                // Listing started at (name, type): the first other type of the same name ends the run.
                break;
            }
        }

        return result;
    }
}
