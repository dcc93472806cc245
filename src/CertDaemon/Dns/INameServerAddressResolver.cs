using System.Net;

namespace CertDaemon.Dns;

/// <summary>
/// Turns an authoritative nameserver's host name (from a zone's delegation set) into its addresses, so the
/// propagation check can ask that server directly.
/// </summary>
/// <remarks>
/// Contract: returns every address the name has (possibly none); an unknown name or a resolver failure throws
/// <see cref="System.Net.Sockets.SocketException"/>, as <see cref="System.Net.Dns.GetHostAddressesAsync(string, CancellationToken)"/>
/// does. Honours cancellation. Safe to call concurrently.
/// </remarks>
internal interface INameServerAddressResolver
{
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string hostName, CancellationToken cancellationToken);
}
