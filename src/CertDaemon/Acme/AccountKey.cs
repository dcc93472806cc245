using System.Security.Cryptography;

namespace CertDaemon.Acme;

/// <summary>
/// The key pair that identifies an ACME account and signs every JWS (RFC 8555 6.2). ES256 (P-256) by default,
/// ES384 (P-384) or RS256 (RSA, 2048 bits or more). Stored as unencrypted PKCS#8 PEM; never logged.
/// </summary>
internal sealed class AccountKey : IDisposable
{
    private const int MinimumRsaKeySize = 2048;

    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    private AccountKey(ECDsa ecdsa, AccountKeyAlgorithm algorithm)
    {
        _ecdsa = ecdsa;
        Algorithm = algorithm;
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        Jwk = JsonWebKey.ForEc(algorithm == AccountKeyAlgorithm.ES256 ? "P-256" : "P-384", parameters.Q.X, parameters.Q.Y);
        Thumbprint = Jwk.ComputeThumbprint();
    }

    private AccountKey(RSA rsa)
    {
        _rsa = rsa;
        Algorithm = AccountKeyAlgorithm.RS256;
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        Jwk = JsonWebKey.ForRsa(parameters.Modulus, parameters.Exponent);
        Thumbprint = Jwk.ComputeThumbprint();
    }

    public AccountKeyAlgorithm Algorithm { get; }

    /// <summary>The public key as a JWK (RFC 7517/7518), with only the canonical members.</summary>
    public JsonWebKey Jwk { get; }

    /// <summary>RFC 7638 JWK thumbprint (base64url SHA-256); the second half of every key authorization (RFC 8555 8.1).</summary>
    public string Thumbprint { get; }

    /// <summary>The JWS "alg" header value (RFC 7518 3.1).</summary>
    public string JwsAlgorithm => Algorithm switch
    {
        AccountKeyAlgorithm.ES256 => "ES256",
        AccountKeyAlgorithm.ES384 => "ES384",
        _ => "RS256",
    };

    public static AccountKey Generate(AccountKeyAlgorithm algorithm = AccountKeyAlgorithm.ES256) => algorithm switch
    {
        AccountKeyAlgorithm.ES256 => new AccountKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), algorithm),
        AccountKeyAlgorithm.ES384 => new AccountKey(ECDsa.Create(ECCurve.NamedCurves.nistP384), algorithm),
        AccountKeyAlgorithm.RS256 => new AccountKey(RSA.Create(MinimumRsaKeySize)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown account key algorithm"),
    };

    /// <summary>
    /// Reads an unencrypted PKCS#8 "PRIVATE KEY" PEM (also SEC1 "EC PRIVATE KEY" and PKCS#1 "RSA PRIVATE KEY"), detecting
    /// the curve or RSA. Anything else raises <see cref="AccountKeyFormatException"/> saying what was wrong (never the key).
    /// </summary>
    public static AccountKey FromPkcs8Pem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields))
        {
            throw new AccountKeyFormatException("account key: no PEM block found (expected -----BEGIN PRIVATE KEY-----)");
        }

        var label = pem[fields.Label];
        byte[] der;
        try
        {
            der = Convert.FromBase64String(pem[fields.Base64Data]);
        }
        catch (FormatException ex)
        {
            throw new AccountKeyFormatException($"account key: the {label} PEM block is not valid base64", ex);
        }

        return label switch
        {
            "PRIVATE KEY" => FromPkcs8(der),
            "EC PRIVATE KEY" => FromEc(der, static (ec, bytes) => ec.ImportECPrivateKey(bytes, out _)),
            "RSA PRIVATE KEY" => FromRsa(der, static (rsa, bytes) => rsa.ImportRSAPrivateKey(bytes, out _)),
            "ENCRYPTED PRIVATE KEY" => throw new AccountKeyFormatException("account key: encrypted PKCS#8 keys are not supported; store it unencrypted with mode 0600"),
            _ => throw new AccountKeyFormatException($"account key: unexpected PEM label '{label}' (expected PRIVATE KEY)"),
        };
    }

    public string ExportPkcs8Pem() =>
        _ecdsa is not null ? _ecdsa.ExportPkcs8PrivateKeyPem() : _rsa!.ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// Signs a JWS signing input. ECDSA signatures are the fixed-length r||s form RFC 7518 3.4 requires (IEEE P1363,
    /// .NET's default), RSA uses PKCS#1 v1.5 (RFC 7518 3.3).
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> signingInput) => Algorithm switch
    {
        AccountKeyAlgorithm.ES256 => _ecdsa!.SignData(signingInput, HashAlgorithmName.SHA256),
        AccountKeyAlgorithm.ES384 => _ecdsa!.SignData(signingInput, HashAlgorithmName.SHA384),
        _ => _rsa!.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
    };

    /// <summary>Verifies a signature made by <see cref="Sign"/>; for tests and self-checks.</summary>
    public bool Verify(ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature) => Algorithm switch
    {
        AccountKeyAlgorithm.ES256 => _ecdsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256),
        AccountKeyAlgorithm.ES384 => _ecdsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA384),
        _ => _rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
    };

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }

    private static AccountKey FromPkcs8(byte[] der)
    {
        // PKCS#8 says which algorithm it holds; try EC first (the default), then RSA.
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(der, out _);
            return FromImportedEc(ecdsa);
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
        }

        return FromRsa(der, static (rsa, bytes) => rsa.ImportPkcs8PrivateKey(bytes, out _));
    }

    private static AccountKey FromEc(byte[] der, Action<ECDsa, byte[]> import)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            import(ecdsa, der);
        }
        catch (CryptographicException ex)
        {
            ecdsa.Dispose();
            throw new AccountKeyFormatException("account key: the PEM block is not a readable EC private key", ex);
        }

        return FromImportedEc(ecdsa);
    }

    private static AccountKey FromImportedEc(ECDsa ecdsa)
    {
        var algorithm = ecdsa.KeySize switch
        {
            256 => AccountKeyAlgorithm.ES256,
            384 => AccountKeyAlgorithm.ES384,
            _ => (AccountKeyAlgorithm?)null,
        };
        if (algorithm is null)
        {
            var size = ecdsa.KeySize;
            ecdsa.Dispose();
            throw new AccountKeyFormatException($"account key: EC keys of {size} bits are not supported (use P-256 or P-384)");
        }

        return new AccountKey(ecdsa, algorithm.Value);
    }

    private static AccountKey FromRsa(byte[] der, Action<RSA, byte[]> import)
    {
        var rsa = RSA.Create();
        try
        {
            import(rsa, der);
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new AccountKeyFormatException("account key: the PEM block is neither an EC (P-256/P-384) nor an RSA private key", ex);
        }

        if (rsa.KeySize < MinimumRsaKeySize)
        {
            var size = rsa.KeySize;
            rsa.Dispose();
            throw new AccountKeyFormatException($"account key: RSA keys must have at least {MinimumRsaKeySize} bits (this one has {size})");
        }

        return new AccountKey(rsa);
    }
}
