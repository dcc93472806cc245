namespace CertDaemon.Renewal;

/// <summary>What one deploy target holds: nginx, or one ACM region with its ARN.</summary>
internal sealed record TargetStatus(string Target, string? Serial, bool HoldsCurrent, string? Arn, string? LastError, DateTimeOffset? LastSuccessAt);
