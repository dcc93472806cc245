namespace CertDaemon.Testbed.Route53;

/// <summary>Requests that reached an operation (whatever the outcome) and those answered with HTTP 2xx.</summary>
public sealed record Route53OperationStats(long Requests, long Succeeded);
