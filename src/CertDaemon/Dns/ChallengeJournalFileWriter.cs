using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace CertDaemon.Dns;

/// <summary>
/// Atomic replacement of the journal file: temporary file in the same directory (mode 0600 from creation),
/// write, fsync, rename over the destination, fsync the directory (certmagic's <c>internal/atomicfile</c>).
/// </summary>
/// <remarks>
/// A minimal copy of what <c>Storage/AtomicFile</c> does, written while that class was developed on another branch;
/// it uses the same temporary-file marker so that class's stale-file sweep also removes ours. Unify at merge.
/// </remarks>
internal static partial class ChallengeJournalFileWriter
{
    private const string TemporaryMarker = ".certdaemon-tmp-";
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloExec = 0x80000;

    public static async Task WriteAsync(string path, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("CertDaemon's state files need POSIX modes and directory fsync (Linux)");
        }

        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' has no parent directory", nameof(path));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = Path.Combine(
            directory, "." + Path.GetFileName(fullPath) + TemporaryMarker + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(contents, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            File.Delete(temporary);
            throw;
        }

        SyncDirectory(directory);
    }

    private static void SyncDirectory(string path)
    {
        var fd = open(path, ORdOnly | ODirectory | OCloExec);
        if (fd < 0)
        {
            throw new IOException($"open directory '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync directory '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs AllowUnsafeBlocks, which the project
    // does not enable for three trivial calls (same choice as Storage/LinuxNative).
#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
#pragma warning restore SYSLIB1054
}
