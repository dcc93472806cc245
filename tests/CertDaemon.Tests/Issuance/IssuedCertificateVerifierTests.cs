using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertDaemon.Issuance;

namespace CertDaemon.Tests.Issuance;

/// <summary>Nothing unverified leaves the issuance layer: wrong key, wrong names, broken chain, or not valid now.</summary>
public sealed class IssuedCertificateVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly ECDsa _rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;

    public IssuedCertificateVerifierTests()
    {
        var rootRequest = new CertificateRequest("CN=Test Root", _rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        _root = rootRequest.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(5));
        _intermediate = CreateCa("CN=Test Intermediate", _intermediateKey, _root);
    }

    private static X509Certificate2 CreateCa(string subject, ECDsa key, X509Certificate2 issuer)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.Create(issuer, Now.AddYears(-1), Now.AddYears(4), [1, 2, 3, 4]);
    }

    private X509Certificate2 Leaf(ECDsa key, string[] names, X509Certificate2? issuer = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        using var issuerWithKey = (issuer ?? _intermediate).CopyWithPrivateKey(issuer is null || issuer == _intermediate ? _intermediateKey : _rootKey);
        return request.Create(issuerWithKey, notBefore ?? Now.AddDays(-1), notAfter ?? Now.AddDays(89), [9, 8, 7, 6]);
    }

    private void Verify(X509Certificate2 leaf, string[] requested, ECDsa? ourKey = null, X509Certificate2[]? chain = null) =>
        IssuedCertificateVerifier.Verify("site", [leaf, .. chain ?? [_intermediate]], (ourKey ?? _leafKey).ExportSubjectPublicKeyInfo(), requested, Now);

    [Fact]
    public void A_certificate_for_our_key_and_exactly_our_names_chaining_through_the_intermediate_passes()
    {
        using var leaf = Leaf(_leafKey, ["example.com", "*.example.com"]);
        Verify(leaf, ["*.example.com", "EXAMPLE.com"]);
        Verify(leaf, ["example.com", "*.example.com"], chain: [_intermediate, _root]);
    }

    [Fact]
    public void Someone_elses_key_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = Leaf(other, ["example.com"]);
        var error = Assert.Throws<CertificateVerificationException>(() => Verify(leaf, ["example.com"]));
        Assert.Contains("public key is not the key we generated", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was stored", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "example.com" }, new[] { "example.com", "www.example.com" }, "missing www.example.com")]
    [InlineData(new[] { "example.com", "evil.example" }, new[] { "example.com" }, "not requested evil.example")]
    public void Names_that_differ_from_the_request_are_refused_and_named(string[] certified, string[] requested, string expected)
    {
        using var leaf = Leaf(_leafKey, certified);
        var error = Assert.Throws<CertificateVerificationException>(() => Verify(leaf, requested));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_that_does_not_sign_the_leaf_is_refused()
    {
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = CreateCa("CN=Test Intermediate", strangerKey, _root);
        using var leaf = Leaf(_leafKey, ["example.com"]);
        var error = Assert.Throws<CertificateVerificationException>(() => Verify(leaf, ["example.com"], chain: [stranger]));
        Assert.Contains("does not verify", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_in_the_wrong_order_or_missing_is_refused()
    {
        using var leaf = Leaf(_leafKey, ["example.com"]);
        Assert.Contains("issued by", Assert.Throws<CertificateVerificationException>(() => Verify(leaf, ["example.com"], chain: [_root])).Message, StringComparison.Ordinal);
        Assert.Contains("no intermediate", Assert.Throws<CertificateVerificationException>(() => Verify(leaf, ["example.com"], chain: [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_not_valid_now_is_refused()
    {
        using var expired = Leaf(_leafKey, ["example.com"], notBefore: Now.AddDays(-100), notAfter: Now.AddDays(-10));
        using var future = Leaf(_leafKey, ["example.com"], notBefore: Now.AddDays(2), notAfter: Now.AddDays(92));
        Assert.Contains("not valid now", Assert.Throws<CertificateVerificationException>(() => Verify(expired, ["example.com"])).Message, StringComparison.Ordinal);
        Assert.Contains("not valid now", Assert.Throws<CertificateVerificationException>(() => Verify(future, ["example.com"])).Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        _rootKey.Dispose();
        _intermediateKey.Dispose();
        _leafKey.Dispose();
    }
}
