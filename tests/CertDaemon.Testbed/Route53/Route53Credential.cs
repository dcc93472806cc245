namespace CertDaemon.Testbed.Route53;

/// <summary>An access key the emulator accepts; <see cref="SessionToken"/>, when set, must arrive as <c>X-Amz-Security-Token</c>.</summary>
public sealed record Route53Credential(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);
