namespace CertDaemon.Testbed.Nginx;

/// <summary>One <c>server</c> block of the test nginx: the names it answers and the files it serves.</summary>
/// <param name="ServerNames">nginx <c>server_name</c> values (wildcards such as <c>*.example.com</c> allowed).</param>
/// <param name="CertificatePath">Its <c>ssl_certificate</c> (a fullchain PEM, typically <c>live/NAME/fullchain.pem</c>).</param>
/// <param name="KeyPath">Its <c>ssl_certificate_key</c> (typically <c>live/NAME/privkey.pem</c>).</param>
public sealed record NginxSite(IReadOnlyList<string> ServerNames, string CertificatePath, string KeyPath);
