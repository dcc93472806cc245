using CertDaemon.Configuration;

namespace CertDaemon.Tests.Configuration;

public sealed class DomainNameNormalizerTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("WWW.Example.COM", "www.example.com")]
    [InlineData("*.example.com", "*.example.com")]
    [InlineData("*.Bücher.example", "*.xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("ÉCOLE.fr", "xn--cole-9oa.fr")]
    [InlineData("a-b.c-d.example", "a-b.c-d.example")]
    public void Normalizes(string input, string expected)
    {
        Assert.True(DomainNameNormalizer.TryNormalize(input, allowWildcard: true, out var normalized, out var error), error);
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("exa mple.com", "whitespace")]
    [InlineData("example.com.", "trailing dot")]
    [InlineData("example..com", "empty label")]
    [InlineData(".example.com", "empty label")]
    [InlineData("*.com", "single label")]
    [InlineData("*", "'*' is allowed only")]
    [InlineData("2001:db8::1", "IP address")]
    [InlineData("example.123", "all digits")]
    [InlineData("xn--zz.example", "not valid punycode")]
    [InlineData("bad-.example.com", "hyphen")]
    public void Refuses(string input, string fragment)
    {
        Assert.False(DomainNameNormalizer.TryNormalize(input, allowWildcard: true, out _, out var error));
        Assert.Contains(fragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcard_refused_where_not_allowed() =>
        Assert.False(DomainNameNormalizer.TryNormalize("*.example.com", allowWildcard: false, out _, out _));
}
