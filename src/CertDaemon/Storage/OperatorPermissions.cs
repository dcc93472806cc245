namespace CertDaemon.Storage;

/// <summary>
/// What a renewal keeps of the permissions an operator (or certbot) gave a lineage, so a non-root reader of the key
/// (haproxy, a mail server, an application in the <c>ssl-cert</c> group) keeps working after CertDaemon renews.
/// </summary>
/// <remarks>
/// certbot gives a new <c>privkeyN.pem</c> the previous key's group and its group bits (and the other-read bit). We
/// carry the group and the group <em>read</em> bit only: a private key is never group-writable or world-readable,
/// whatever the previous one was. Directories CertDaemon creates itself stay 0700 unless they replace a directory
/// readers already traverse (certbot's <c>live/NAME</c>, 0755 by default), whose mode (without write bits for group
/// and others) and group they take.
/// </remarks>
internal static class OperatorPermissions
{
    /// <summary>A private key's base mode: owner read/write, 0600.</summary>
    public const UnixFileMode PrivateKeyMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A directory CertDaemon creates: 0700.</summary>
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode WritableByGroupOrOther = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>The mode and group of a new key following <paramref name="previousKey"/> (null or missing: 0600, group unchanged).</summary>
    public static (UnixFileMode Mode, uint? Group) ForNewKey(string? previousKey)
    {
        if (Inspect(previousKey) is not { } previous)
        {
            return (PrivateKeyMode, null);
        }

        return (PrivateKeyMode | (previous.Mode & UnixFileMode.GroupRead), previous.Group);
    }

    /// <summary>The mode and group of a new version directory replacing <paramref name="previousDirectory"/> as <c>live/NAME</c>.</summary>
    public static (UnixFileMode Mode, uint? Group) ForVersionDirectory(string? previousDirectory)
    {
        if (Inspect(previousDirectory) is not { } previous)
        {
            return (PrivateDirectoryMode, null);
        }

        const UnixFileMode traverse = UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        return (PrivateDirectoryMode | (previous.Mode & traverse), previous.Group);
    }

    /// <summary>Whether a directory holding keys is writable by group or others (looser than 0755): worth a warning, never changed.</summary>
    public static bool IsLooserThanExpected(UnixFileMode mode) => (mode & WritableByGroupOrOther) != 0;

    /// <summary>
    /// The previous file's ownership, or null: none (or removed meanwhile by another tool pruning), or unreadable
    /// without statx (glibc older than 2.28), where CertDaemon's own strict default applies.
    /// </summary>
    private static FileOwnership? Inspect(string? path) => path is null ? null : LinuxNative.TryGetOwnership(path);
}
