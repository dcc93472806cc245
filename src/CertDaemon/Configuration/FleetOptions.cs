namespace CertDaemon.Configuration;

/// <summary>
/// Fleet mode (section <c>Fleet</c>): several instances share every configured certificate through one S3 bucket; one
/// instance renews at a time (a lease per certificate), every instance installs and deploys the result. Absent = off:
/// the single-box behaviour is unchanged. Every instance of a fleet must use the same certificate configuration.
/// </summary>
internal sealed record FleetOptions
{
    /// <summary>The default object key prefix, <c>certdaemon/</c>.</summary>
    public const string DefaultPrefix = "certdaemon/";

    /// <summary>The default lease duration, ten minutes.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromMinutes(10);

    /// <summary>The S3 bucket holding the fleet's certificates (required).</summary>
    public string Bucket { get; init; } = "";

    /// <summary>Every object key starts with this (several fleets can share a bucket). The default value is <c>certdaemon/</c>; empty = the bucket's root.</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>The bucket's region. The default is the AWS chain's region (<c>AWS_REGION</c>, profile), else <c>us-east-1</c>.</summary>
    public string? Region { get; init; }

    /// <summary>
    /// A KMS key (id, ARN or <c>alias/NAME</c>) the private keys (certificate keys and the ACME account key) are
    /// encrypted with (SSE-KMS). The default is none: the bucket's default encryption applies.
    /// </summary>
    public string? KmsKeyId { get; init; }

    /// <summary>
    /// How long a renewal lease lasts without being extended (the holder extends it every third of it while it works).
    /// Another instance takes over only after it expired plus a fifth of it (the clock-skew margin).
    /// 00:00:10 to 01:00:00. The default value is 00:10:00.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = DefaultLeaseDuration;
}
