using Amazon.Runtime;
using CertDaemon.Aws;
using CertDaemon.Aws.Route53;
using CertDaemon.Testbed.Moto;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertDaemon.Tests.Aws;

/// <summary>
/// Route53.RoleArn: the source credentials are exchanged at STS (moto's) for the role's temporary credentials, and
/// the Route53 requests are signed with those.
/// </summary>
[Collection(AwsEnvironmentCollection.Name)]
public sealed class AssumeRoleTests
{
    [Fact]
    public async Task A_configured_role_is_assumed_through_sts_and_its_temporary_credentials_sign_route53_calls()
    {
        await using var moto = await MotoServer.StartAsync();
        using var scope = new EnvironmentScope()
            .Set("AWS_ENDPOINT_URL_STS", moto.Endpoint.ToString())
            .Set("AWS_REGION", "us-east-1");
        var source = new BasicAWSCredentials("AKIASOURCEKEY0000000", "source-secret-0000000000000000000000000");

        var assumed = AwsCredentialChain.AssumeRole(
            source, new AwsAssumeRoleOptions("arn:aws:iam::123456789012:role/certdaemon-dns", "external-1"), NullLogger.Instance);
        var identity = await assumed.GetCredentialsAsync();
        using var client = Route53Client.Create(moto.Endpoint, assumed, new AwsRequestRateLimiter(100, 100));
        var zoneId = await moto.CreateHostedZoneAsync("assumed.example.test");
        var zones = await client.ListHostedZonesByNameAsync("assumed.example.test", 1, CancellationToken.None);

        Assert.NotEqual(source.GetCredentials().AccessKey, identity.AccessKey);
        Assert.False(string.IsNullOrEmpty(identity.Token), "assumed-role credentials carry a session token");
        Assert.Equal(zoneId, Assert.Single(zones).Id);
    }
}
