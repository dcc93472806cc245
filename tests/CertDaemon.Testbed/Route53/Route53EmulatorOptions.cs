using System.Net;

namespace CertDaemon.Testbed.Route53;

/// <summary>Start-up settings of a <see cref="Route53Emulator"/>. Knobs tests change while it runs live on the emulator itself.</summary>
public sealed record Route53EmulatorOptions
{
    /// <summary>The key pair accepted when <see cref="Credentials"/> is not set.</summary>
    public static Route53Credential DefaultCredential { get; } = new("AKIAR53EMULATOR0TEST", "r53-emulator-test-secret-0123456789abcdef");

    /// <summary>Access keys the SigV4 check accepts. The default is <see cref="DefaultCredential"/> alone.</summary>
    public IReadOnlyList<Route53Credential> Credentials { get; init; } = [DefaultCredential];

    /// <summary>Check every request's SigV4 signature (service <c>route53</c>, region <c>us-east-1</c>). The default is true.</summary>
    public bool VerifySignatures { get; init; } = true;

    /// <summary>
    /// Largest accepted distance between <c>X-Amz-Date</c> and the system clock (the clock every real signer uses,
    /// whatever TimeProvider the emulator runs on). The default is 5 minutes, as on AWS.
    /// </summary>
    public TimeSpan MaxSignatureClockSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time from submission until a change is INSYNC and published to DNS. The default is 2 seconds.</summary>
    public TimeSpan InSyncDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// challtestsrv cannot remove one TXT value (only all of a name's), so publishing a set that lost a value means
    /// clear-then-add, and a validation falling between the two sees no value at all - a gap real Route53 never has.
    /// With this on, a removed value stays in DNS until its whole set is deleted (as a resolver's cache would keep it
    /// for the TTL), so concurrent runs on one name are judged on the product's behaviour, not on that gap. Route53's
    /// own record sets are exact either way. The default is false.
    /// </summary>
    public bool KeepRemovedTxtValuesUntilSetDeleted { get; init; }

    /// <summary>Listen address. The default is 127.0.0.1.</summary>
    public IPAddress ListenAddress { get; init; } = IPAddress.Loopback;

    /// <summary>Listen port; 0 (the default) lets the OS pick a free one.</summary>
    public int Port { get; init; }

    /// <summary>Seed of the random source behind probabilistic faults. The default is 20130401 (reproducible runs).</summary>
    public int RandomSeed { get; init; } = 20130401;

    /// <summary>Shape of InvalidChangeBatch answers. The default is <see cref="InvalidChangeBatchFormat.ErrorResponse"/>.</summary>
    public InvalidChangeBatchFormat InvalidChangeBatchFormat { get; init; } = InvalidChangeBatchFormat.ErrorResponse;

    /// <summary>Changes per ChangeResourceRecordSets request. The default is 100.</summary>
    public int MaxChangesPerBatch { get; init; } = 100;

    /// <summary>ResourceRecord elements per request, UPSERT counting twice. The default is 1000 (AWS quota).</summary>
    public int MaxRecordsPerBatch { get; init; } = 1000;

    /// <summary>Characters in all Value elements of a request, UPSERT counting twice. The default is 32000 (AWS quota).</summary>
    public int MaxValueCharactersPerBatch { get; init; } = 32000;

    /// <summary>Token-bucket rate limit at start (requests per second); null (the default) starts unlimited.</summary>
    public double? RateLimitPerSecond { get; init; }

    /// <summary>Bucket size for <see cref="RateLimitPerSecond"/>. The default is 5.</summary>
    public int RateLimitBurst { get; init; } = 5;
}
