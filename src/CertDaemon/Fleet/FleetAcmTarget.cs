namespace CertDaemon.Fleet;

/// <summary>The deploy-target naming of ACM regions (<c>acm:REGION</c>), as the state file and status spell it.</summary>
internal static class FleetAcmTarget
{
    public const string Prefix = "acm:";
}
