namespace CertDaemon.Aws.Acm;

/// <summary>A public certificate to request from ACM, validated by DNS.</summary>
/// <param name="Domains">The first is the DomainName, all of them (again) the SubjectAlternativeNames.</param>
/// <param name="KeyAlgorithm">ACM's spelling: <c>RSA_2048</c>, <c>EC_prime256v1</c>, <c>EC_secp384r1</c>.</param>
/// <param name="IdempotencyToken">1-32 word characters; calls with the same token within an hour make one certificate.</param>
/// <param name="Exportable">Ask for <c>Options.Export = ENABLED</c> (an exportable public certificate).</param>
internal sealed record AcmCertificateRequest(
    IReadOnlyList<string> Domains,
    string KeyAlgorithm,
    string IdempotencyToken,
    bool Exportable,
    IReadOnlyDictionary<string, string>? Tags = null);
