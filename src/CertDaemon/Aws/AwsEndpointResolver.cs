namespace CertDaemon.Aws;

/// <summary>
/// Picks a service endpoint. Precedence, highest first:
/// <list type="number">
/// <item>an endpoint configured explicitly for CertDaemon (it names this deployment's intent);</item>
/// <item>the service-specific variable every AWS SDK honours, e.g. <c>AWS_ENDPOINT_URL_ROUTE_53</c>;</item>
/// <item>the global <c>AWS_ENDPOINT_URL</c>;</item>
/// <item>the public default, e.g. <c>https://route53.amazonaws.com</c>.</item>
/// </list>
/// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c> disables the two environment variables, as in the AWS SDKs.
/// This mirrors the SDKs' own order (code beats environment, specific beats global).
/// </summary>
internal static class AwsEndpointResolver
{
    public static readonly Uri Route53Default = new("https://route53.amazonaws.com");

    /// <summary>Route53's endpoint (one global endpoint; signing region is always us-east-1).</summary>
    public static AwsEndpoint ResolveRoute53(Uri? configured, Func<string, string?>? environment = null) =>
        Resolve(configured, "AWS_ENDPOINT_URL_ROUTE_53", Route53Default, environment ?? Environment.GetEnvironmentVariable);

    /// <summary>The general rule for any service: <paramref name="serviceVariable"/> is e.g. <c>AWS_ENDPOINT_URL_ACM</c>.</summary>
    public static AwsEndpoint Resolve(Uri? configured, string serviceVariable, Uri defaultUrl, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (configured is not null)
        {
            return new AwsEndpoint(RequireAbsolute(configured, "configuration"), "configuration");
        }

        if (!string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var variable in new[] { serviceVariable, "AWS_ENDPOINT_URL" })
            {
                var value = environment(variable);
                if (!string.IsNullOrWhiteSpace(value))
                {
                    if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url))
                    {
                        throw new ArgumentException($"{variable}='{value}' is not an absolute URL (expected e.g. http://127.0.0.1:5000).");
                    }

                    return new AwsEndpoint(RequireAbsolute(url, variable), variable);
                }
            }
        }

        return new AwsEndpoint(defaultUrl, "default");
    }

    private static Uri RequireAbsolute(Uri url, string source)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"The AWS endpoint from {source} ('{url}') must be an absolute http(s) URL.");
        }

        return url;
    }
}
