namespace CertDaemon.Tests.Architecture;

/// <summary>
/// The folder graph docs/architecture.md draws: which top-level folder of src/CertDaemon may use which. A folder not
/// listed here fails the test until someone decides where it sits.
/// </summary>
internal static class FolderLayering
{
    public const string Root = "CertDaemon";

    /// <summary>Program.cs lives in the root namespace: it may start anything, nothing may use it.</summary>
    public const string ProgramFolder = "(root)";

    private static readonly string[] Base = ["Kernel", "Logging"];
    private static readonly string[] BelowRenewal =
        [.. Base, "Processes", "Acme", "Storage", "Aws", "Configuration", "Dns", "Issuance", "Deployment", "Certbot"];
    private static readonly string[] BelowHosting = [.. BelowRenewal, "Renewal", "Monitoring", "Notifications", "Fleet"];

    public static readonly IReadOnlyDictionary<string, string[]> MayUse = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Kernel"] = [],
        ["Logging"] = ["Kernel"],
        ["Processes"] = Base,
        ["Acme"] = Base,
        ["Storage"] = Base,
        ["Aws"] = Base,
        ["Configuration"] = [.. Base, "Processes"],
        ["Permissions"] = [.. Base, "Configuration"],
        ["Dns"] = [.. Base, "Aws", "Storage"],
        ["Issuance"] = [.. Base, "Acme", "Dns", "Storage"],
        ["Deployment"] = [.. Base, "Processes", "Aws", "Storage", "Configuration"],
        ["Certbot"] = [.. Base, "Processes", "Acme", "Storage", "Configuration"],
        ["Renewal"] = BelowRenewal,
        ["Monitoring"] = [.. BelowRenewal, "Renewal"],
        ["Notifications"] = [.. BelowRenewal, "Renewal"],
        ["Fleet"] = [.. BelowRenewal, "Renewal"],
        ["Hosting"] = BelowHosting,
        ["Cli"] = [.. BelowHosting, "Hosting", "Permissions"],
        [ProgramFolder] = [.. Base, "Cli", "Hosting"],
    };

    /// <summary><c>CertDaemon.Dns.Route53</c> → <c>Dns</c>; <c>CertDaemon</c> → <see cref="ProgramFolder"/>.</summary>
    public static string FolderOf(Type type)
    {
        var parts = type.Namespace!.Split('.');
        return parts.Length > 1 ? parts[1] : ProgramFolder;
    }
}
