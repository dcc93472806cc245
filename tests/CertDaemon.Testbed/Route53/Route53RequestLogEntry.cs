namespace CertDaemon.Testbed.Route53;

/// <summary>
/// One request that reached <see cref="Operation"/>: its zone or change id (<see cref="ResourceId"/>, without prefix;
/// empty for ListHostedZonesByName) and its query parameters (e.g. <c>dnsname</c>, <c>maxitems</c>).
/// </summary>
public sealed record Route53RequestLogEntry(Route53Operation Operation, string ResourceId, IReadOnlyDictionary<string, string> Query);
