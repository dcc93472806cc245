using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CertDaemon.Acme;

using CertDaemon.Tests.Testbed;

namespace CertDaemon.Tests.Acme;

public sealed class AccountKeyTests
{
    [Theory]
    [InlineData("ES256", 64)]
    [InlineData("ES384", 96)]
    [InlineData("RS256", 256)]
    public void A_jws_signature_verifies_with_the_public_key_rebuilt_from_the_jwk(string alg, int signatureLength)
    {
        var algorithm = Enum.Parse<AccountKeyAlgorithm>(alg);
        using var key = AccountKey.Generate(algorithm);
        var header = new JwsProtectedHeader { Alg = key.JwsAlgorithm, Jwk = key.Jwk, Nonce = "bm9uY2U", Url = "https://ca.test/new-acct" };

        var jws = AcmeJws.Sign(key, header, """{"termsOfServiceAgreed":true}"""u8);

        using var headerJson = JsonDocument.Parse(Base64Url.DecodeFromChars(jws.Protected));
        Assert.Equal(alg, headerJson.RootElement.GetProperty("alg").GetString());
        Assert.Equal("https://ca.test/new-acct", headerJson.RootElement.GetProperty("url").GetString());
        Assert.False(headerJson.RootElement.TryGetProperty("kid", out _));
        Assert.Equal("""{"termsOfServiceAgreed":true}""", Encoding.UTF8.GetString(Base64Url.DecodeFromChars(jws.Payload)));

        // Verify with a key built only from the JWK members, as a CA would: ECDSA signatures must be raw r||s (RFC 7518 3.4).
        var signingInput = Encoding.ASCII.GetBytes(jws.Protected + "." + jws.Payload);
        var signature = Base64Url.DecodeFromChars(jws.Signature);
        Assert.Equal(signatureLength, signature.Length);
        var jwk = headerJson.RootElement.GetProperty("jwk");
        if (algorithm == AccountKeyAlgorithm.RS256)
        {
            using var rsa = RSA.Create(new RSAParameters
            {
                Modulus = Base64Url.DecodeFromChars(jwk.GetProperty("n").GetString()),
                Exponent = Base64Url.DecodeFromChars(jwk.GetProperty("e").GetString()),
            });
            Assert.True(rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
        else
        {
            var (curve, hash) = algorithm == AccountKeyAlgorithm.ES256 ? (ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256) : (ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384);
            Assert.Equal(algorithm == AccountKeyAlgorithm.ES256 ? "P-256" : "P-384", jwk.GetProperty("crv").GetString());
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()) },
            });
            Assert.True(ecdsa.VerifyData(signingInput, signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
    }

    [Fact]
    public void Post_as_get_has_an_empty_payload_and_a_kid_instead_of_a_jwk()
    {
        using var key = AccountKey.Generate();
        var jws = AcmeJws.Sign(key, new JwsProtectedHeader { Alg = "ES256", Kid = "https://ca.test/acct/1", Nonce = "n", Url = "https://ca.test/order/1" }, []);

        Assert.Equal("", jws.Payload);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(jws.Protected));
        Assert.Equal("https://ca.test/acct/1", header.RootElement.GetProperty("kid").GetString());
        Assert.False(header.RootElement.TryGetProperty("jwk", out _));
        Assert.True(key.Verify(Encoding.ASCII.GetBytes(jws.Protected + "."), Base64Url.DecodeFromChars(jws.Signature)));
    }

    [Fact]
    public void The_thumbprint_of_the_rfc_7638_example_key_matches_the_rfc()
    {
        // RFC 7638 section 3.1.
        var jwk = new JsonWebKey
        {
            Kty = "RSA",
            E = "AQAB",
            N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", jwk.ComputeThumbprint());
    }

    [Fact]
    public void An_rsa_key_with_the_rfc_7638_modulus_gets_the_rfc_thumbprint_through_the_account_key_path()
    {
        var modulus = Base64Url.DecodeFromChars("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw");

        // The exponent as a platform would export it, with a leading zero byte: the JWK must still use the minimal form.
        var jwk = JsonWebKey.ForRsa(modulus, [0x00, 0x01, 0x00, 0x01]);

        Assert.Equal("AQAB", jwk.E);
        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", jwk.ComputeThumbprint());
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("RS256")]
    public void A_key_survives_a_pkcs8_pem_round_trip(string alg)
    {
        var algorithm = Enum.Parse<AccountKeyAlgorithm>(alg);
        using var key = AccountKey.Generate(algorithm);
        var pem = key.ExportPkcs8Pem();

        using var again = AccountKey.FromPkcs8Pem(pem);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        Assert.Equal(algorithm, again.Algorithm);
        Assert.Equal(key.Thumbprint, again.Thumbprint);
        Assert.True(key.Verify("data"u8, again.Sign("data"u8)));
    }

    [Fact]
    public void An_sec1_ec_key_is_accepted_too()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        using var key = AccountKey.FromPkcs8Pem(ecdsa.ExportECPrivateKeyPem());

        Assert.Equal(AccountKeyAlgorithm.ES384, key.Algorithm);
    }

    [Theory]
    [InlineData("not a key at all")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")]
    public void Garbage_pem_is_a_typed_error_that_says_what_was_wrong(string pem)
    {
        var error = Assert.Throws<AccountKeyFormatException>(() => AccountKey.FromPkcs8Pem(pem));

        Assert.StartsWith("account key:", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<AcmeException>(error);
    }

    [Fact]
    public void Unsupported_keys_are_refused_with_the_reason()
    {
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var rsa1024 = RSA.Create(1024);

        Assert.Contains("521 bits", Assert.Throws<AccountKeyFormatException>(() => AccountKey.FromPkcs8Pem(p521.ExportPkcs8PrivateKeyPem())).Message, StringComparison.Ordinal);
        Assert.Contains("at least 2048", Assert.Throws<AccountKeyFormatException>(() => AccountKey.FromPkcs8Pem(rsa1024.ExportPkcs8PrivateKeyPem())).Message, StringComparison.Ordinal);
        Assert.Contains("encrypted", Assert.Throws<AccountKeyFormatException>(() =>
            AccountKey.FromPkcs8Pem(rsa1024.ExportEncryptedPkcs8PrivateKeyPem("pw"u8, new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dns01_value_is_the_base64url_sha256_of_the_key_authorization()
    {
        using var key = AccountKey.Generate();
        using var http = new HttpClient();
        using var client = new AcmeClient(http, new Uri("https://ca.test/dir"), key, TimeProvider.System, new CapturingLogger<AcmeClient>());

        var keyAuthorization = client.GetKeyAuthorization("tok-en_1");

        Assert.Equal("tok-en_1." + key.Thumbprint, keyAuthorization);
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization))), client.GetDns01TxtValue("tok-en_1"));
        Assert.Equal(43, client.GetDns01TxtValue("tok-en_1").Length);
    }

    [Fact]
    public void The_eab_secret_never_shows_in_its_string_form()
    {
        var binding = new ExternalAccountBinding("kid-1", "c2VjcmV0LWhtYWMta2V5");

        Assert.DoesNotContain("c2VjcmV0", binding.ToString(), StringComparison.Ordinal);
        Assert.Contains("kid-1", binding.ToString(), StringComparison.Ordinal);
    }
}
