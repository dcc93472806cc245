namespace CertDaemon.Configuration;

/// <summary>The values of a certificate's <c>Issuer</c> key.</summary>
internal static class CertificateIssuers
{
    /// <summary>An ACME CA: <c>Acme.DirectoryUrl</c>, then each <c>Acme.Fallback</c> CA.</summary>
    public const string Acme = "acme";

    /// <summary>An ACM exportable public certificate, validated through Route53 and exported to the local files.</summary>
    public const string AcmExport = "acm-export";

    /// <summary>Every accepted value, for messages.</summary>
    public static readonly IReadOnlyList<string> All = [Acme, AcmExport];
}
