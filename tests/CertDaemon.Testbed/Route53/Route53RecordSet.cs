namespace CertDaemon.Testbed.Route53;

/// <summary>
/// A simple (non-alias) record set in wire form: <see cref="Name"/> with trailing dot and <c>\052</c> for <c>*</c>,
/// TXT values as quoted strings. <see cref="Ttl"/> is null only in a logged change that omitted it.
/// </summary>
public sealed record Route53RecordSet(string Name, string Type, long? Ttl, IReadOnlyList<string> Values);
