namespace CertDaemon.Storage;

/// <summary>Who owns a file and who may read it: what certbot (and an operator) set and renewals carry over.</summary>
/// <param name="Owner">The owning user id.</param>
/// <param name="Group">The owning group id.</param>
/// <param name="Mode">The permission bits (no file type bits).</param>
internal sealed record FileOwnership(uint Owner, uint Group, UnixFileMode Mode)
{
    /// <summary>Whether the path (links followed) is a directory.</summary>
    public bool IsDirectory { get; init; }
}
