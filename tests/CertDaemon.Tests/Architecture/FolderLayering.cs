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

    private static readonly string[] Leaves = ["Kernel"];
    private static readonly string[] Adapters = ["Kernel", "Logging"];

    public static readonly IReadOnlyDictionary<string, string[]> MayUse = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Kernel"] = [],
        ["Logging"] = Leaves,
        ["Acme"] = Adapters,
        ["Storage"] = Adapters,
        ["Aws"] = Adapters,
        ["Configuration"] = Adapters,
        ["Dns"] = [.. Adapters, "Aws", "Storage", "Configuration"],
        ["Issuance"] = [.. Adapters, "Acme", "Dns", "Storage", "Configuration"],
        ["Deployment"] = [.. Adapters, "Aws", "Storage", "Configuration"],
        ["Renewal"] = [.. Adapters, "Acme", "Aws", "Storage", "Configuration", "Dns", "Issuance", "Deployment"],
        ["Hosting"] = [.. Adapters, "Acme", "Aws", "Storage", "Configuration", "Dns", "Issuance", "Deployment", "Renewal"],
        ["Cli"] = [.. Adapters, "Acme", "Aws", "Storage", "Configuration", "Dns", "Issuance", "Deployment", "Renewal", "Hosting"],
        [ProgramFolder] = [.. Adapters, "Cli", "Hosting"],
    };

    /// <summary><c>CertDaemon.Dns.Route53</c> → <c>Dns</c>; <c>CertDaemon</c> → <see cref="ProgramFolder"/>.</summary>
    public static string FolderOf(Type type)
    {
        var parts = type.Namespace!.Split('.');
        return parts.Length > 1 ? parts[1] : ProgramFolder;
    }
}
