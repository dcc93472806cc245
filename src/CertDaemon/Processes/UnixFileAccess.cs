using System.Runtime.InteropServices;

namespace CertDaemon.Processes;

/// <summary>
/// Asks the kernel, through access(2), whether this process may write or execute a path. Checking mode bits
/// ourselves would get root, group membership and ACLs wrong.
/// </summary>
internal static partial class UnixFileAccess
{
    private const int ExecuteOk = 1; // X_OK
    private const int WriteOk = 2;   // W_OK

    public static bool CanExecute(string path) => Access(path, ExecuteOk);

    /// <summary>Write and search permission: what creating an entry in a directory needs.</summary>
    public static bool CanCreateIn(string directory) => Access(directory, WriteOk | ExecuteOk);

    private static bool Access(string path, int mode) => access(path, mode) == 0;

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks in the csproj; one string argument marshals fine this way.
    private static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
#pragma warning restore SYSLIB1054
}
