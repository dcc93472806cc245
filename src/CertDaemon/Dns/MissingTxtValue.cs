namespace CertDaemon.Dns;

/// <summary>A TXT value a server did not answer; <see cref="Problem"/> says why when the query itself failed.</summary>
internal sealed record MissingTxtValue(DnsServer Server, string Name, string Value, string? Problem);
