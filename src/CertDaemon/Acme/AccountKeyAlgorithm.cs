namespace CertDaemon.Acme;

/// <summary>The JWS algorithms an ACME account key signs with (RFC 7518 3.1). ES256 is the default.</summary>
internal enum AccountKeyAlgorithm
{
    /// <summary>ECDSA P-256 with SHA-256.</summary>
    ES256,

    /// <summary>ECDSA P-384 with SHA-384.</summary>
    ES384,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256, RSA modulus of 2048 bits or more.</summary>
    RS256,
}
