using CertDaemon.Kernel;

namespace CertDaemon.Renewal;

/// <summary>What the configuration (or an ad-hoc request) asks for.</summary>
/// <param name="Domains">Normalized names (punycode, lower case), any order.</param>
/// <param name="KeyType">The wanted key type.</param>
internal sealed record DesiredCertificate(IReadOnlyList<string> Domains, KeyType KeyType);
