using System.Runtime.InteropServices;

namespace CertDaemon.Storage;

/// <summary>
/// The few libc calls .NET does not expose: <c>rename(2)</c> without .NET's "is the destination a directory"
/// checks (we rename symbolic links that point at directories), <c>renameat2(RENAME_EXCHANGE)</c> and
/// <c>renameat2(RENAME_NOREPLACE)</c>, <c>fsync</c> on a directory (which <c>File.OpenHandle</c> refuses to open),
/// and a file's owner and group (<c>statx</c>, <c>chown</c>), which .NET neither reads nor sets.
/// </summary>
internal static partial class LinuxNative
{
    private const int AtFdCwd = -100;
    private const uint RenameNoReplaceFlag = 1;
    private const uint RenameExchange = 2;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxBufferSize = 256;
    private const int FileTypeMask = 0xf000; // S_IFMT
    private const int DirectoryType = 0x4000; // S_IFDIR
    private const int EExist = 17;
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloExec = 0x80000;
    private const int EInval = 22;
    private const int ENoSys = 38;

    /// <summary>rename(2): atomically replaces <paramref name="destination"/> (a file or symbolic link) if it exists.</summary>
    public static void Rename(string source, string destination)
    {
        if (rename(source, destination) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"rename '{source}' to '{destination}'");
        }
    }

    /// <summary>
    /// renameat2(RENAME_EXCHANGE): atomically swaps two entries of any type (a symbolic link and a directory).
    /// Throws <see cref="NotSupportedException"/> when the kernel, libc or file system does not support it.
    /// </summary>
    public static void Exchange(string first, string second)
    {
        int result;
        try
        {
            result = renameat2(AtFdCwd, first, AtFdCwd, second, RenameExchange);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new NotSupportedException("renameat2 is not available in this libc", e);
        }

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is EInval or ENoSys)
            {
                throw new NotSupportedException($"RENAME_EXCHANGE is not supported here ({Marshal.GetPInvokeErrorMessage(errno)})");
            }

            throw ErrnoException(errno, $"exchange '{first}' with '{second}'");
        }
    }

    /// <summary>
    /// Moves <paramref name="source"/> to <paramref name="destination"/> only if nothing exists there: an
    /// <see cref="IOException"/> whose <see cref="Exception.HResult"/> is EEXIST (17) otherwise. Uses
    /// <c>renameat2(RENAME_NOREPLACE)</c>, or <c>link</c> + <c>unlink</c> where the file system lacks it (both atomic
    /// with respect to the destination: it never exists half-written and is never replaced).
    /// </summary>
    public static void RenameNoReplace(string source, string destination)
    {
        int result;
        try
        {
            result = renameat2(AtFdCwd, source, AtFdCwd, destination, RenameNoReplaceFlag);
        }
        catch (EntryPointNotFoundException)
        {
            result = -1;
            Marshal.SetLastPInvokeError(ENoSys);
        }

        if (result == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (EInval or ENoSys))
        {
            throw ErrnoException(errno, $"create '{destination}' (from '{source}') without replacing anything");
        }

        if (link(source, destination) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"link '{source}' to '{destination}'");
        }

        if (unlink(source) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"unlink '{source}'");
        }
    }

    /// <summary>Whether <paramref name="exception"/> says the destination already existed (EEXIST).</summary>
    public static bool IsAlreadyExists(IOException exception) => exception.HResult == EExist;

    /// <summary>The owner, group and permission bits of <paramref name="path"/> (symbolic links followed).</summary>
    /// <exception cref="IOException">The path cannot be inspected.</exception>
    /// <exception cref="NotSupportedException">The C library has no <c>statx</c> (glibc older than 2.28).</exception>
    public static FileOwnership GetOwnership(string path)
    {
        var buffer = new byte[StatxBufferSize];
        int result;
        try
        {
            result = statx(AtFdCwd, path, 0, StatxBasicStats, buffer);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new NotSupportedException("statx is not available in this libc", e);
        }

        if (result != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"statx '{path}'");
        }

        // struct statx (linux/stat.h, the same on every architecture): stx_uid at 20, stx_gid at 24, stx_mode at 28.
        var owner = BitConverter.ToUInt32(buffer, 20);
        var group = BitConverter.ToUInt32(buffer, 24);
        var typeAndMode = BitConverter.ToUInt16(buffer, 28);
        return new FileOwnership(owner, group, (UnixFileMode)(typeAndMode & 0xfff)) { IsDirectory = (typeAndMode & FileTypeMask) == DirectoryType };
    }

    /// <summary>
    /// Like <see cref="GetOwnership"/>, or null when the path cannot be inspected: missing (ENOENT, ENOTDIR, a dangling
    /// link), not reachable for this user (EACCES), or no <c>statx</c> in this libc.
    /// </summary>
    public static FileOwnership? TryGetOwnership(string path)
    {
        try
        {
            return GetOwnership(path);
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>chown(2) of the group only (the owner stays).</summary>
    public static void ChangeGroup(string path, uint group)
    {
        if (chown(path, uint.MaxValue, group) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"chown group {group} '{path}'");
        }
    }

    /// <summary>Makes the directory's entries (creations, renames, removals) durable.</summary>
    public static void SyncDirectory(string path)
    {
        var fd = open(path, ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), $"open directory '{path}'");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw ErrnoException(Marshal.GetLastPInvokeError(), $"fsync directory '{path}'");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static IOException ErrnoException(int errno, string what) =>
        new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    // DllImport rather than LibraryImport: the generated marshalling code needs AllowUnsafeBlocks, which the
    // project does not enable for four trivial calls whose string arguments marshal as UTF-8 either way.
#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    private static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", SetLastError = true)]
    private static extern int renameat2(int oldDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport("libc", SetLastError = true)]
    private static extern int unlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
