namespace CertDaemon.Dns;

/// <summary>One TXT value at one name: the plain (unquoted) text, at a normalised name (see <see cref="DnsName"/>).</summary>
internal sealed record TxtRecordValue(string Name, string Value);
