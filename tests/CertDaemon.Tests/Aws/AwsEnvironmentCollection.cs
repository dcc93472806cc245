
namespace CertDaemon.Tests.Aws;

/// <summary>Tests that change process-wide AWS environment variables and shared files: run alone, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsEnvironmentCollection
{
    public const string Name = "AWS process environment";
}
