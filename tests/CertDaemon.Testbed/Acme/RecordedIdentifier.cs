namespace CertDaemon.Testbed.Acme;

/// <summary>One entry of a newOrder payload's <c>identifiers</c> (RFC 8555 7.1.3), as the client sent it.</summary>
public sealed record RecordedIdentifier(string Type, string Value);
