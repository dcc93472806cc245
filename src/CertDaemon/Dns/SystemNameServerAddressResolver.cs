using System.Net;

namespace CertDaemon.Dns;

/// <summary><see cref="INameServerAddressResolver"/> through the operating system's resolver (<c>getaddrinfo</c>).</summary>
internal sealed class SystemNameServerAddressResolver : INameServerAddressResolver
{
    public static SystemNameServerAddressResolver Instance { get; } = new();

    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string hostName, CancellationToken cancellationToken) =>
        await System.Net.Dns.GetHostAddressesAsync(hostName, cancellationToken);
}
