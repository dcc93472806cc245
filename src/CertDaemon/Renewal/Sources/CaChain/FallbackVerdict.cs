namespace CertDaemon.Renewal.Sources.CaChain;

/// <summary>The decision after a failed attempt, with the reason logged for the operator.</summary>
internal sealed record FallbackVerdict(FallbackAction Action, string Reason);
