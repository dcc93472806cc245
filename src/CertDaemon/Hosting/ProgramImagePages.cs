using System.Globalization;
using System.Runtime.InteropServices;

namespace CertDaemon.Hosting;

/// <summary>
/// Gives the kernel back the pages of this program's own executable (its code and read-only data, mapped from the
/// file) that the last burst of work faulted in. The native binary is one 26 MB file; a start-up or a check with 100
/// certificates touches most of it, and those clean file pages stay in the process's RSS (and in its cgroup's memory
/// charge) for the hours until the next check although nothing needs them. <c>madvise(MADV_PAGEOUT)</c> reclaims them
/// now; the next check faults back in what it uses, from the page cache or the disk.
/// </summary>
/// <remarks>
/// Contract: only read-only, file-backed, private mappings of <c>/proc/self/exe</c> are advised (never writable data,
/// the heap, or shared libraries, whose pages other processes share); nothing is freed that cannot be re-read from the
/// file; a kernel without MADV_PAGEOUT (before Linux 5.4) or a refused call changes nothing and is reported, never
/// thrown. The kernel also drops those pages from the page cache when nobody else maps them, so the next check reads
/// them from disk again (about 20 MB, once per burst of checks).
/// </remarks>
internal static class ProgramImagePages
{
    private const int MadvPageout = 21;

    /// <summary>
    /// Advises the kernel to reclaim the executable's read-only pages. Returns the bytes advised, the bytes the process's
    /// file-backed RSS actually fell by (zero where the kernel keeps them, e.g. for a user that does not own the file),
    /// and the first error, if any.
    /// </summary>
    public static (long Advised, long Released, string? Error) Release()
    {
        long advised = 0;
        string? error = null;
        long before;
        try
        {
            before = FileBackedRss();
            var executable = new FileInfo("/proc/self/exe").LinkTarget ?? "";
            foreach (var (start, length) in ReadOnlyMappingsOf(File.ReadLines("/proc/self/maps"), executable))
            {
                if (madvise(start, (nuint)length, MadvPageout) == 0)
                {
                    advised += length;
                }
                else
                {
                    error ??= $"madvise(MADV_PAGEOUT) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
                }
            }

            return (advised, Math.Max(0, before - FileBackedRss()), error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (advised, 0, error ?? $"reading /proc/self: {e.Message}");
        }
    }

    /// <summary><c>RssFile</c> of <c>/proc/self/status</c>, in bytes.</summary>
    private static long FileBackedRss() =>
        File.ReadLines("/proc/self/status")
            .Where(line => line.StartsWith("RssFile:", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
            .FirstOrDefault();

    /// <summary>The read-only private mappings of <paramref name="path"/> in a <c>/proc/PID/maps</c> listing.</summary>
    internal static IEnumerable<(nint Start, long Length)> ReadOnlyMappingsOf(IEnumerable<string> maps, string path)
    {
        if (path.Length == 0)
        {
            yield break;
        }

        foreach (var line in maps)
        {
            // "start-end perms offset dev inode   path"
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5] != path || fields[1].Length != 4 || fields[1][1] == 'w' || fields[1][3] != 'p')
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            yield return ((nint)start, end - start);
        }
    }

#pragma warning disable SYSLIB1054 // one call with plain integer arguments: nothing to marshal
    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
#pragma warning restore SYSLIB1054
}
