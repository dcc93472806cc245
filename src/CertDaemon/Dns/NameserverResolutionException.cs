namespace CertDaemon.Dns;

/// <summary>An authoritative nameserver's own name (from the zone's delegation set) has no usable address.</summary>
internal sealed class NameserverResolutionException : Exception
{
    public NameserverResolutionException(string zone, string nameserver, Exception? innerException)
        : base($"cannot resolve the address of nameserver {nameserver} of zone {zone}: {innerException?.Message ?? "no address"}", innerException)
    {
        Zone = zone;
        Nameserver = nameserver;
    }

    public string Zone { get; }

    public string Nameserver { get; }
}
