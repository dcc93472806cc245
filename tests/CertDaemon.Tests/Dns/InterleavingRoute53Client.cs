using CertDaemon.Aws.Route53;

namespace CertDaemon.Tests.Dns;

/// <summary>
/// A Route53 client that lets "another host" act just before chosen ChangeResourceRecordSets calls go out: after
/// our read of the zone and before our write, the one window a lock on our own state directory cannot close.
/// </summary>
internal sealed class InterleavingRoute53Client(IRoute53Client inner) : IRoute53Client
{
    private readonly Queue<Func<Task>> _beforeChanges = new();

    /// <summary>Runs <paramref name="action"/> before the next ChangeResourceRecordSets not yet claimed by an earlier one.</summary>
    public void BeforeNextChange(Func<Task> action) => _beforeChanges.Enqueue(action);

    public Task<IReadOnlyList<HostedZone>> ListHostedZonesByNameAsync(string dnsName, int maxItems, CancellationToken cancellationToken) =>
        inner.ListHostedZonesByNameAsync(dnsName, maxItems, cancellationToken);

    public Task<HostedZoneDetails> GetHostedZoneAsync(string hostedZoneId, CancellationToken cancellationToken) =>
        inner.GetHostedZoneAsync(hostedZoneId, cancellationToken);

    public Task<ResourceRecordSetPage> ListResourceRecordSetsAsync(
        string hostedZoneId, string? startName, string? startType, int? maxItems, CancellationToken cancellationToken) =>
        inner.ListResourceRecordSetsAsync(hostedZoneId, startName, startType, maxItems, cancellationToken);

    public async Task<ChangeInfo> ChangeResourceRecordSetsAsync(string hostedZoneId, ChangeBatch batch, CancellationToken cancellationToken)
    {
        if (_beforeChanges.TryDequeue(out var action))
        {
            await action();
        }

        return await inner.ChangeResourceRecordSetsAsync(hostedZoneId, batch, cancellationToken);
    }

    public Task<ChangeInfo> GetChangeAsync(string changeId, CancellationToken cancellationToken) =>
        inner.GetChangeAsync(changeId, cancellationToken);
}
