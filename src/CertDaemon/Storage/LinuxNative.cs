using System.Runtime.InteropServices;

namespace CertDaemon.Storage;

/// <summary>
/// The few libc calls .NET does not expose: <c>rename(2)</c> without .NET's "is the destination a directory"
/// checks (we rename symbolic links that point at directories), <c>renameat2(RENAME_EXCHANGE)</c>, and
/// <c>fsync</c> on a directory (which <c>File.OpenHandle</c> refuses to open).
/// </summary>
internal static partial class LinuxNative
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
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
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
