using System.Globalization;
using CertDaemon.Kernel;

namespace CertDaemon.Storage;

/// <summary>
/// Where each file of a lineage lives in certbot's layout (see <see cref="CertificateStore"/> for the picture), and
/// the modes CertDaemon creates them with. Pure path arithmetic: nothing here touches the disk.
/// </summary>
internal sealed class LineagePaths
{
    /// <summary>The four parts of a version, in the order certbot lists them.</summary>
    public static readonly string[] Parts = ["cert", "chain", "fullchain", "privkey"];

    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicFileMode = PrivateFileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private const string MetaDirectoryName = ".certdaemon";

    public LineagePaths(string certificateDirectory)
    {
        Root = Path.GetFullPath(certificateDirectory);
        ArchiveRoot = Path.Combine(Root, "archive");
        LiveRoot = Path.Combine(Root, "live");
        MetaRoot = Path.Combine(Root, MetaDirectoryName);
    }

    /// <summary>The absolute certificate directory (e.g. <c>/etc/letsencrypt</c>).</summary>
    public string Root { get; }

    /// <summary><c>archive/</c>: one directory of numbered PEM files per lineage.</summary>
    public string ArchiveRoot { get; }

    /// <summary><c>live/</c>: the live links (or certbot's directories) and CertDaemon's version directories.</summary>
    public string LiveRoot { get; }

    /// <summary><c>.certdaemon/</c>: locks, lineage markers and switch journals.</summary>
    public string MetaRoot { get; }

    /// <summary><c>live/NAME</c>, after checking the name.</summary>
    public string Live(string name)
    {
        CertificateName.Validate(name);
        return Path.Combine(LiveRoot, name);
    }

    public string ArchiveDirectory(string name) => Path.Combine(ArchiveRoot, name);

    public string ArchiveFile(string name, string part, int version) =>
        Path.Combine(ArchiveRoot, name, part + version.ToString(CultureInfo.InvariantCulture) + ".pem");

    /// <summary><c>live/.NAME.vN</c>: the directory of four links that <c>live/NAME</c> points at.</summary>
    public string VersionDirectory(string name, int version) =>
        Path.Combine(LiveRoot, "." + name + ".v" + version.ToString(CultureInfo.InvariantCulture));

    /// <summary><c>live/.NAME.vN.partial</c>: a version directory being built or removed.</summary>
    public string PartialVersionDirectory(string name, int version) => VersionDirectory(name, version) + ".partial";

    /// <summary><c>live/.NAME.next</c>: the new link, before it is renamed over <c>live/NAME</c>.</summary>
    public string NextLink(string name) => Path.Combine(LiveRoot, "." + name + ".next");

    public string Journal(string name) => Path.Combine(MetaRoot, name + ".switch.json");

    public string LineageMarker(string name) => Path.Combine(MetaRoot, name + ".lineage.json");

    public string Lock(string name) => Path.Combine(MetaRoot, name + ".lock");

    /// <summary>What a link in a version directory holds: <c>../../archive/NAME/PARTN.pem</c> (relative, as certbot's).</summary>
    public static string ArchiveLinkTarget(string name, string part, int version) =>
        $"../../archive/{name}/{part}{version.ToString(CultureInfo.InvariantCulture)}.pem";

    /// <summary>The N of a <c>.NAME.vN</c> (or, with <paramref name="partial"/>, <c>.NAME.vN.partial</c>) entry, or null for anything else.</summary>
    public static int? ParseVersionDirectory(string name, string entryName, bool partial)
    {
        var prefix = "." + name + ".v";
        if (!entryName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = entryName.AsSpan(prefix.Length);
        if (partial)
        {
            if (!rest.EndsWith(".partial", StringComparison.Ordinal))
            {
                return null;
            }

            rest = rest[..^".partial".Length];
        }

        return int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }
}
