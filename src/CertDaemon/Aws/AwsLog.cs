using CertDaemon.Logging;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Aws;

/// <summary>Log events of the AWS layer (ids 4000-4999). Never credentials, signatures or secret keys.</summary>
internal static partial class AwsLog
{
    [LoggerMessage(EventId = EventIds.Aws + 1, EventName = "AwsRequestRetried", Level = LogLevel.Warning,
        Message = "{Service} {Operation} attempt {Attempt} failed with {Code}; retrying in {Delay}")]
    public static partial void RequestRetried(ILogger logger, string service, string operation, int attempt, TimeSpan delay, string code);

    [LoggerMessage(EventId = EventIds.Aws + 2, EventName = "AwsRequestRetriesExhausted", Level = LogLevel.Error,
        Message = "{Service} {Operation} gave up after {Attempts} attempts; last failure {Code}")]
    public static partial void RequestRetriesExhausted(ILogger logger, string service, string operation, int attempts, string code);

    [LoggerMessage(EventId = EventIds.Aws + 3, EventName = "AwsRequestRateLimited", Level = LogLevel.Debug,
        Message = "{Service} {Operation} waited {Delay} for the shared AWS request budget")]
    public static partial void RequestRateLimited(ILogger logger, string service, string operation, TimeSpan delay);

    [LoggerMessage(EventId = EventIds.Aws + 4, EventName = "AwsCredentialsResolved", Level = LogLevel.Information,
        Message = "AWS credentials resolved from {CredentialSource}")]
    public static partial void CredentialsResolved(ILogger logger, string credentialSource);

    [LoggerMessage(EventId = EventIds.Aws + 5, EventName = "AwsAssumeRoleConfigured", Level = LogLevel.Information,
        Message = "AWS requests will assume role {RoleArn} as session {SessionName} (external id set: {HasExternalId})")]
    public static partial void AssumeRoleConfigured(ILogger logger, string roleArn, string sessionName, bool hasExternalId);

    [LoggerMessage(EventId = EventIds.Aws + 6, EventName = "AwsEndpointSelected", Level = LogLevel.Information,
        Message = "{Service} endpoint {Endpoint} (from {EndpointSource})")]
    public static partial void EndpointSelected(ILogger logger, string service, Uri endpoint, string endpointSource);
}
