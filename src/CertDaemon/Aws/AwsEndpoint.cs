namespace CertDaemon.Aws;

/// <summary>Where requests for one AWS service go, and which setting decided it (logged once at start).</summary>
internal sealed record AwsEndpoint(Uri Url, string Source);
