using CertDaemon.Aws;

namespace CertDaemon.Tests.Aws;

public sealed class AwsEndpointResolverTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Default_is_the_public_route53_endpoint()
    {
        var endpoint = AwsEndpointResolver.ResolveRoute53(null, Env());

        Assert.Equal(new Uri("https://route53.amazonaws.com"), endpoint.Url);
        Assert.Equal("default", endpoint.Source);
    }

    [Fact]
    public void Service_specific_variable_beats_the_global_one()
    {
        var endpoint = AwsEndpointResolver.ResolveRoute53(null, Env(("AWS_ENDPOINT_URL", "http://global:1"), ("AWS_ENDPOINT_URL_ROUTE_53", "http://route53:2")));

        Assert.Equal(new Uri("http://route53:2"), endpoint.Url);
        Assert.Equal("AWS_ENDPOINT_URL_ROUTE_53", endpoint.Source);
    }

    [Fact]
    public void Global_variable_applies_without_a_specific_one()
    {
        var endpoint = AwsEndpointResolver.ResolveRoute53(null, Env(("AWS_ENDPOINT_URL", "http://global:1")));

        Assert.Equal(new Uri("http://global:1"), endpoint.Url);
    }

    [Fact]
    public void Explicit_configuration_beats_the_environment()
    {
        var endpoint = AwsEndpointResolver.ResolveRoute53(new Uri("http://configured:3"), Env(("AWS_ENDPOINT_URL_ROUTE_53", "http://route53:2")));

        Assert.Equal(new Uri("http://configured:3"), endpoint.Url);
        Assert.Equal("configuration", endpoint.Source);
    }

    [Fact]
    public void Ignore_flag_disables_the_environment_variables()
    {
        var endpoint = AwsEndpointResolver.ResolveRoute53(null, Env(("AWS_ENDPOINT_URL_ROUTE_53", "http://route53:2"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")));

        Assert.Equal("default", endpoint.Source);
    }

    [Fact]
    public void A_malformed_variable_is_reported_by_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => AwsEndpointResolver.ResolveRoute53(null, Env(("AWS_ENDPOINT_URL_ROUTE_53", "localhost:5000x y"))));

        Assert.Contains("AWS_ENDPOINT_URL_ROUTE_53", ex.Message, StringComparison.Ordinal);
    }
}
