namespace CertDaemon.Configuration;

/// <summary>Per-certificate Route53 overrides (a certificate's <c>Route53</c> section); unset values fall back to the top-level section.</summary>
internal sealed record CertificateRoute53Options
{
    /// <summary>Overrides <see cref="Route53Options.HostedZoneId"/>. The default is none.</summary>
    public string? HostedZoneId { get; init; }

    /// <summary>Overrides <see cref="Route53Options.RoleArn"/>. The default is none.</summary>
    public string? RoleArn { get; init; }
}
