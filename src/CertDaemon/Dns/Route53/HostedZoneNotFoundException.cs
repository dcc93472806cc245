namespace CertDaemon.Dns.Route53;

/// <summary>No hosted zone (that may be used) holds a name; the message lists every zone name looked for.</summary>
internal sealed class HostedZoneNotFoundException : Exception
{
    public HostedZoneNotFoundException(string name, IReadOnlyList<string> namesTried, bool privateZonesAllowed)
        : base($"no {(privateZonesAllowed ? "" : "public ")}Route53 hosted zone holds {name}; looked for zones named {string.Join(", ", namesTried)}"
            + (privateZonesAllowed ? "" : " (private zones are skipped unless Route53.PrivateZones is true)"))
    {
        Name = name;
        NamesTried = namesTried;
    }

    /// <summary>The record name (after CNAME delegation) a zone was looked for.</summary>
    public string Name { get; }

    /// <summary>Every candidate zone name asked for, longest first.</summary>
    public IReadOnlyList<string> NamesTried { get; }
}
