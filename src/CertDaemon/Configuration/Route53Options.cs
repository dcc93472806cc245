namespace CertDaemon.Configuration;

/// <summary>Route53 settings for DNS-01 (section <c>Route53</c>). Credentials come from the standard AWS chain.</summary>
internal sealed record Route53Options
{
    /// <summary>The default propagation timeout, five minutes.</summary>
    public static readonly TimeSpan DefaultPropagationTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The hosted zone to write challenge records to (<c>Z...</c>, optionally <c>/hostedzone/Z...</c>). The default is none: the zone is found from each name.</summary>
    public string? HostedZoneId { get; init; }

    /// <summary>A role (<c>arn:aws:iam::ACCOUNT:role/NAME</c>) assumed for Route53 calls. The default is none (use the ambient credentials).</summary>
    public string? RoleArn { get; init; }

    /// <summary>The external id passed when assuming <see cref="RoleArn"/>. The default is none.</summary>
    public string? ExternalId { get; init; }

    /// <summary>How long to wait for the challenge records to be visible. The default value is 00:05:00; at most 01:00:00.</summary>
    public TimeSpan PropagationTimeout { get; init; } = DefaultPropagationTimeout;

    /// <summary>Whether private hosted zones may be chosen when finding a zone. The default value is <see langword="false"/>.</summary>
    public bool PrivateZones { get; init; }

    /// <summary>A Route53 endpoint replacing AWS's (tests). The default is none; <c>AWS_ENDPOINT_URL_ROUTE_53</c> also works.</summary>
    public Uri? EndpointUrl { get; init; }
}
