using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CertDaemon.Aws;
using CertDaemon.Configuration;
using Microsoft.Extensions.Logging;

namespace CertDaemon.Fleet;

/// <summary>
/// <see cref="IFleetObjectStore"/> on AWSSDK.S3: conditional <c>PutObject</c> (<c>If-None-Match: *</c>,
/// <c>If-Match</c>) for compare-and-swap, conditional <c>GetObject</c> (<c>If-None-Match</c>) for the cheap
/// "nothing changed" check, SSE-KMS for secret objects when a key is configured.
/// </summary>
/// <remarks>
/// The client uses the same credential chain as the Route53 and ACM clients and the standard endpoint overrides
/// (<c>AWS_ENDPOINT_URL_S3</c>, then <c>AWS_ENDPOINT_URL</c>); an overridden endpoint is addressed path-style
/// (S3-compatible servers such as moto rarely serve virtual-host names). The SDK retries transient errors twice
/// with its standard backoff; a check that still fails is retried by the caller's schedule.
/// </remarks>
internal sealed class S3FleetObjectStore : IFleetObjectStore, IDisposable
{
    private const string EndpointVariable = "AWS_ENDPOINT_URL_S3";

    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly string? _kmsKeyId;

    public S3FleetObjectStore(IAmazonS3 s3, FleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(options);
        _s3 = s3;
        _bucket = options.Bucket;
        _prefix = options.Prefix;
        _kmsKeyId = options.KmsKeyId;
    }

    public string Location => $"s3://{_bucket}/{_prefix}";

    /// <summary>Builds the S3 client for <paramref name="options"/> from the standard AWS chain and endpoint variables.</summary>
    public static S3FleetObjectStore Create(FleetOptions options, ILogger logger, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        var region = options.Region ?? environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION") ?? "us-east-1";
        var endpoint = AwsEndpointResolver.Resolve(null, EndpointVariable, new Uri($"https://s3.{region}.amazonaws.com"), environment);
        AwsLog.EndpointSelected(logger, "s3 " + region, endpoint.Url, endpoint.Source);
        var config = new AmazonS3Config
        {
            RegionEndpoint = RegionEndpoint.GetBySystemName(region),
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(20),
            // Checksums only where S3 requires them: the manifest carries SHA-256 of every file, checked on download.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // Fleet objects are certificates, keys and manifests (kilobytes): the AWS bound applies as to Route53.
            HttpClientFactory = new AwsSdkHttpClientFactory("s3"),
        };
        if (endpoint.Source != "default")
        {
            config.ServiceURL = endpoint.Url.ToString();
            config.AuthenticationRegion = region;
            config.ForcePathStyle = true;
        }

        return new S3FleetObjectStore(new AmazonS3Client(AwsCredentialChain.CreateDeferred(logger), config), options);
    }

    public async Task<FleetRead> GetAsync(string key, string? ifNoneMatch, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = _prefix + key };
        if (ifNoneMatch is not null)
        {
            request.EtagToNotMatch = ifNoneMatch;
        }

        try
        {
            using var response = await _s3.GetObjectAsync(request, cancellationToken);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            return new FleetRead.Found(buffer.ToArray(), response.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotModified)
        {
            return new FleetRead.NotModified();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return new FleetRead.Missing();
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            throw Failure("read", key, e);
        }
    }

    public async Task<FleetWrite> PutAsync(string key, ReadOnlyMemory<byte> content, FleetWriteCondition condition, bool secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            InputStream = body,
            AutoCloseStream = false,
            UseChunkEncoding = false,
            ContentType = key.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/x-pem-file",
        };
        if (condition.MustBeAbsent)
        {
            request.IfNoneMatch = "*";
        }
        else if (condition.IfMatch is { } etag)
        {
            request.IfMatch = etag;
        }

        if (secret && _kmsKeyId is not null)
        {
            request.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
            request.ServerSideEncryptionKeyManagementServiceKeyId = _kmsKeyId;
        }

        try
        {
            var response = await _s3.PutObjectAsync(request, cancellationToken);
            return new FleetWrite.Written(response.ETag);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed
            || (e.StatusCode == HttpStatusCode.Conflict && e.ErrorCode == "ConditionalRequestConflict"))
        {
            // 409 ConditionalRequestConflict: a concurrent conditional write to the same key won the race.
            return new FleetWrite.ConditionFailed();
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            throw Failure("write", key, e);
        }
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = _prefix + key }, cancellationToken);
        }
        catch (Exception e) when (IsStoreFailure(e, cancellationToken))
        {
            throw Failure("delete", key, e);
        }
    }

    public void Dispose() => _s3.Dispose();

    private static bool IsStoreFailure(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && e is AmazonServiceException or AmazonClientException or HttpRequestException or SocketException or IOException or TaskCanceledException or AwsCredentialsNotFoundException
            or AwsResponseTooLargeException;

    private FleetStoreException Failure(string operation, string key, Exception e)
    {
        var hint = e switch
        {
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } => " Access denied: check the instance role against `certdaemon iam-policy` (bucket, prefix and KMS key).",
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => " The bucket does not exist: create it (docs/fleet.md) or fix Fleet.Bucket.",
            AmazonServiceException s when s.ErrorCode?.StartsWith("KMS", StringComparison.Ordinal) == true => " KMS refused: check Fleet.KmsKeyId and the role's kms:Encrypt/Decrypt/GenerateDataKey.",
            _ => "",
        };
        return new FleetStoreException($"Could not {operation} s3://{_bucket}/{_prefix}{key}: {e.Message.TrimEnd('.')}.{hint}", e);
    }
}
