using Amazon.Runtime;
using CertDaemon.Aws;

namespace CertDaemon.Tests.Aws;

/// <summary>
/// The rebinding that lets roles from the shared config file work in the native binary: every SDK
/// <see cref="AssumeRoleAWSCredentials"/> of a chain becomes a <see cref="StsAssumedRoleCredentials"/> of the same role
/// over the rebound source (the end-to-end proof on the native binary is Cli/AwsCredentialSourceTests).
/// </summary>
public sealed class SdkStsBindingTests
{
    [Fact]
    public void A_profile_role_chain_is_rebound_hop_by_hop_down_to_the_source_keys()
    {
        var keys = new BasicAWSCredentials("AKIAPROFILEBASE00000", "profile-base-secret");
        var hop1 = new AssumeRoleAWSCredentials(keys, "arn:aws:iam::123456789012:role/dns-admin", "s1", new AssumeRoleAWSCredentialsOptions { ExternalId = "x1" });
        var hop2 = new AssumeRoleAWSCredentials(hop1, "arn:aws:iam::123456789012:role/certdaemon-dns", "s2", new AssumeRoleAWSCredentialsOptions());

        var rebound = Assert.IsType<StsAssumedRoleCredentials>(SdkStsBinding.MakeTrimSafe(hop2));
        Assert.Equal(hop2.RoleArn, rebound.RoleArn);
        var source = Assert.IsType<StsAssumedRoleCredentials>(rebound.Source);
        Assert.Equal(hop1.RoleArn, source.RoleArn);
        Assert.Same(keys, source.Source);
    }

    [Fact]
    public void Credentials_that_need_no_sts_client_are_returned_as_they_are()
    {
        var keys = new BasicAWSCredentials("AKIAPROFILEBASE00000", "profile-base-secret");
        Assert.Same(keys, SdkStsBinding.MakeTrimSafe(keys));
    }
}
