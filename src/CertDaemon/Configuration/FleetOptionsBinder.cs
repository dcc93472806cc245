namespace CertDaemon.Configuration;

/// <summary>Binds the <c>Fleet</c> section (see <see cref="OptionsBinder"/> for the rules every section follows).</summary>
internal static class FleetOptionsBinder
{
    public static FleetOptions Bind(ConfigurationNode node)
    {
        node.RejectUnknownKeys("Bucket", "Prefix", "Region", "KmsKeyId", "LeaseDuration");
        var defaults = new FleetOptions();
        return new FleetOptions
        {
            Bucket = node.String("Bucket") ?? "",
            Prefix = node.String("Prefix") ?? (node.IsExplicitlyNull("Prefix") ? "" : defaults.Prefix),
            Region = node.String("Region"),
            KmsKeyId = node.String("KmsKeyId"),
            LeaseDuration = node.Duration("LeaseDuration") ?? defaults.LeaseDuration,
        };
    }
}
