using System.Net;

namespace CertDaemon.Testbed.Acme;

/// <summary>A <c>GET renewal-info/{certId}</c> seen by <see cref="AcmeExtensionsProxy"/> and the status it was answered.</summary>
public sealed record RenewalInfoRequest(string CertId, DateTimeOffset ReceivedAt, HttpStatusCode StatusCode);
