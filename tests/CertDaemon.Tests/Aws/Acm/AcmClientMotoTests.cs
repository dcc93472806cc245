using CertDaemon.Aws;
using CertDaemon.Aws.Acm;
using CertDaemon.Kernel;
using CertDaemon.Testbed.Moto;
using CertDaemon.Tests.Deployment.Acm;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Aws.Acm;

/// <summary>Our ACM client against moto, an independent implementation of ACM's JSON 1.1 protocol.</summary>
public sealed class AcmClientMotoTests : IClassFixture<MotoFixture>, IDisposable
{
    private readonly MotoFixture _moto;
    private readonly ITestOutputHelper _output;
    private readonly AcmTraffic _traffic = new();
    private readonly AcmClient _client;

    public AcmClientMotoTests(MotoFixture moto, ITestOutputHelper output)
    {
        _moto = moto;
        _output = output;
        _client = AcmClient.Create("eu-west-1", moto.Server.Endpoint, MotoServer.Credentials, new AwsRequestRateLimiter(1000, 1000), transport: _traffic);
    }

    public void Dispose()
    {
        _client.Dispose();
        _output.WriteLine("moto_server output:\n" + _moto.Server.Output);
    }

    [Theory]
    [InlineData(KeyType.Ec256)]
    [InlineData(KeyType.Rsa2048)]
    public async Task Import_then_describe_list_and_tags_round_trip(KeyType keyType)
    {
        using var lineage = new AcmTestLineage("c" + Guid.NewGuid().ToString("N")[..8], $"{Guid.NewGuid():N}.example.test", "www.example.test");
        lineage.AddLiveVersion(keyType);
        var cert = File.ReadAllText(Path.Combine(lineage.LiveDirectory, "cert.pem"));
        var key = File.ReadAllText(Path.Combine(lineage.LiveDirectory, "privkey.pem"));

        var arn = await _client.ImportCertificateAsync(
            new AcmImportRequest(null, cert, key, lineage.CaPem, new Dictionary<string, string> { ["certdaemon:name"] = lineage.Name }), CancellationToken.None);

        // The wire: JSON 1.1 with the blobs as base64 of the PEM text.
        var sent = Assert.Single(_traffic.Of("ImportCertificate"));
        Assert.Equal("application/x-amz-json-1.1", sent.ContentType);
        Assert.Equal("eu-west-1", sent.Region);
        Assert.Equal(cert, sent.Blob("Certificate"));
        Assert.Equal(lineage.CaPem, sent.Blob("CertificateChain"));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", sent.Blob("PrivateKey"), StringComparison.Ordinal);
        Assert.False(sent.Has("CertificateArn"));

        var detail = await _client.DescribeCertificateAsync(arn, CancellationToken.None);
        Assert.Equal(arn, detail.CertificateArn);
        Assert.True(AcmSerial.AreEqual(lineage.SerialOf(1), detail.Serial), $"{detail.Serial} vs {lineage.SerialOf(1)}");
        Assert.Equal(new DateTimeOffset(lineage.LeafOf(1).NotAfter.ToUniversalTime()), detail.NotAfter);
        Assert.Equal(lineage.Domains[0], detail.DomainName);
        Assert.Equal(lineage.Domains, detail.SubjectAlternativeNames);
        Assert.Equal("IMPORTED", detail.Type);
        Assert.Equal(AcmKeyAlgorithms.FromKeyType(keyType), detail.KeyAlgorithm);
        Assert.Empty(detail.InUseBy);

        var page = await _client.ListCertificatesAsync(AcmKeyAlgorithms.All, null, 1000, CancellationToken.None);
        Assert.Contains(page.Certificates, s => s.CertificateArn == arn && s.DomainName == lineage.Domains[0]);
        var list = _traffic.Of("ListCertificates").Last();
        Assert.Equal(AcmKeyAlgorithms.All, list.Json.GetProperty("Includes").GetProperty("keyTypes").EnumerateArray().Select(e => e.GetString()));

        await _client.AddTagsToCertificateAsync(arn, new Dictionary<string, string> { ["env"] = "prod" }, CancellationToken.None);
        var tags = await _client.ListTagsForCertificateAsync(arn, CancellationToken.None);
        Assert.Equal(lineage.Name, tags["certdaemon:name"]);
        Assert.Equal("prod", tags["env"]);
    }

    [Fact]
    public async Task Describe_of_an_unknown_arn_is_ResourceNotFoundException()
    {
        var arn = $"arn:aws:acm:eu-west-1:123456789012:certificate/{Guid.NewGuid()}";

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => _client.DescribeCertificateAsync(arn, CancellationToken.None));

        Assert.Equal("ResourceNotFoundException", error.Code);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task Factory_honours_AWS_ENDPOINT_URL_ACM_for_every_region()
    {
        var environment = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ACM"] = _moto.Server.Endpoint.ToString() };
        var logger = new CapturingLogger<AcmClientFactory>();
        using var factory = new AcmClientFactory(
            new AcmClientFactoryOptions { RequestsPerSecond = 1000, Burst = 1000 }, TimeProvider.System, logger, MotoServer.Credentials,
            environment: name => environment.GetValueOrDefault(name));

        var east = (AcmClient)factory.Create("us-east-1");
        var west = (AcmClient)factory.Create("eu-west-1");

        Assert.Same(east, factory.Create("us-east-1"));
        Assert.Equal(_moto.Server.Endpoint, east.Endpoint);
        Assert.Equal(_moto.Server.Endpoint, west.Endpoint);
        Assert.Equal("us-east-1", east.Region);
        Assert.Contains(logger.Named("AwsEndpointSelected"), e => e.Property("EndpointSource") == "AWS_ENDPOINT_URL_ACM");
        await east.ListCertificatesAsync(AcmKeyAlgorithms.All, null, null, CancellationToken.None);

        using var plain = new AcmClientFactory(new AcmClientFactoryOptions(), TimeProvider.System, NullLogger<AcmClientFactory>.Instance, MotoServer.Credentials, environment: _ => null);
        Assert.Equal(new Uri("https://acm.ap-southeast-2.amazonaws.com/"), ((AcmClient)plain.Create("ap-southeast-2")).Endpoint);
    }
}
