using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CertDaemon.Testbed.Moto;

namespace CertDaemon.Testbed.Fleet;

/// <summary>Test setup and inspection of moto's S3 (our product never creates buckets): an SDK client on moto, path-style.</summary>
public static class S3Buckets
{
    /// <summary>An S3 client for <paramref name="endpoint"/> (moto, or a gate in front of it).</summary>
    public static AmazonS3Client Client(Uri endpoint) => new(
        MotoServer.Credentials,
        new AmazonS3Config
        {
            ServiceURL = endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>Creates a bucket with a unique name and returns the name.</summary>
    public static async Task<string> CreateAsync(Uri endpoint, CancellationToken cancellationToken = default)
    {
        var name = "fleet-" + Guid.NewGuid().ToString("N")[..16];
        using var client = Client(endpoint);
        await client.PutBucketAsync(new PutBucketRequest { BucketName = name }, cancellationToken);
        return name;
    }

    /// <summary>Every key in the bucket, sorted.</summary>
    public static async Task<IReadOnlyList<string>> KeysAsync(Uri endpoint, string bucket, CancellationToken cancellationToken = default)
    {
        using var client = Client(endpoint);
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = token }, cancellationToken);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>The object's text, or null when it is absent.</summary>
    public static async Task<string?> ReadAsync(Uri endpoint, string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var client = Client(endpoint);
        try
        {
            using var response = await client.GetObjectAsync(bucket, key, cancellationToken);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
