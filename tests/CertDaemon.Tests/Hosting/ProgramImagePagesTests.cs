using CertDaemon.Hosting;

namespace CertDaemon.Tests.Hosting;

/// <summary>
/// Only the executable's own read-only, private file mappings are given back (never its writable data, the heap, or
/// shared libraries), and on this kernel the call is accepted for them.
/// </summary>
public sealed class ProgramImagePagesTests
{
    private const string Exe = "/usr/bin/certdaemon";

    [Fact]
    public void Picks_only_the_read_only_private_mappings_of_the_executable()
    {
        string[] maps =
        [
            $"55d0a0000000-55d0a0030000 r--p 00000000 fe:00 123 {Exe}",
            $"55d0a0030000-55d0a0d00000 r-xp 0002f000 fe:00 123 {Exe}",
            $"55d0a0d00000-55d0a1460000 r--p 00cfe000 fe:00 123 {Exe}",
            $"55d0a1460000-55d0a1461000 rw-p 0145d000 fe:00 123 {Exe}",
            "55d0a1461000-55d0a1c80000 rw-p 00000000 00:00 0 ",
            "55d0b0000000-55d0b0100000 rw-p 00000000 00:00 0                          [heap]",
            "7f0000000000-7f0000200000 r-xp 00000000 fe:00 456 /usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            $"7f0000400000-7f0000401000 r--s 00000000 fe:00 123 {Exe}",
            $"7f0000500000-7f0000501000 r--p 00000000 fe:00 789 {Exe} (deleted)",
        ];

        var picked = ProgramImagePages.ReadOnlyMappingsOf(maps, Exe).Select(m => ((long)m.Start, m.Length)).ToList();

        Assert.Equal([(0x55d0a0000000L, 0x30000L), (0x55d0a0030000L, 0xcd0000L), (0x55d0a0d00000L, 0x760000L)], picked);
        Assert.Empty(ProgramImagePages.ReadOnlyMappingsOf(maps, ""));
    }

    [Fact]
    public void Releases_the_pages_of_this_process_image()
    {
        var (advised, released, error) = ProgramImagePages.Release();

        Assert.Null(error);
        Assert.True(advised > 0, "the test host's own executable has read-only mappings");
        Assert.InRange(released, 0, advised);
    }
}
