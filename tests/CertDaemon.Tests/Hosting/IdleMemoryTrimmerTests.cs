using System.Globalization;
using CertDaemon.Hosting;
using CertDaemon.Tests.Testbed;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CertDaemon.Tests.Hosting;

/// <summary>
/// The daemon returns its memory once, when work has stopped for the quiet period: never while a check runs, once
/// for a burst of checks that end one after another, again after the next burst, and a failing collection is logged,
/// not thrown into the timer.
/// </summary>
public sealed class IdleMemoryTrimmerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private int _collections;

    [Fact]
    public void Collects_once_after_a_burst_has_been_quiet_for_the_quiet_period()
    {
        using var trimmer = new IdleMemoryTrimmer(_time, NullLogger.Instance, _ => _collections++);
        var first = trimmer.Enter();
        var second = trimmer.Enter();
        first.Dispose();
        _time.Advance(IdleMemoryTrimmer.QuietPeriod * 3);
        Assert.Equal(0, _collections); // the second check still runs

        second.Dispose();
        second.Dispose(); // a handle counts once
        _time.Advance(IdleMemoryTrimmer.QuietPeriod - TimeSpan.FromSeconds(1));
        using (trimmer.Enter())
        {
            _time.Advance(TimeSpan.FromSeconds(2)); // the quiet period was interrupted: no collection now
            Assert.Equal(0, _collections);
        }

        _time.Advance(IdleMemoryTrimmer.QuietPeriod);
        Assert.Equal(1, _collections);
        _time.Advance(TimeSpan.FromHours(6));
        Assert.Equal(1, _collections); // idle: nothing more to return until work runs again

        trimmer.Enter().Dispose();
        _time.Advance(IdleMemoryTrimmer.QuietPeriod);
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void A_failing_collection_is_not_thrown_and_the_next_burst_collects_again()
    {
        using var trimmer = new IdleMemoryTrimmer(_time, NullLogger.Instance, _ =>
        {
            _collections++;
            throw new InvalidOperationException("no");
        });
        trimmer.Enter().Dispose();
        _time.Advance(IdleMemoryTrimmer.QuietPeriod);
        trimmer.Enter().Dispose();
        _time.Advance(IdleMemoryTrimmer.QuietPeriod);
        Assert.Equal(2, _collections);
    }

    [Fact]
    public void After_scrapes_only_the_heap_is_collected_and_the_program_pages_only_after_a_check()
    {
        var afterCheck = new List<bool>();
        using var trimmer = new IdleMemoryTrimmer(_time, NullLogger.Instance, afterCheck.Add);
        trimmer.Enter(scrape: true).Dispose();
        _time.Advance(IdleMemoryTrimmer.QuietPeriod);
        using (trimmer.Enter())
        {
            trimmer.Enter(scrape: true).Dispose();
        }

        _time.Advance(IdleMemoryTrimmer.QuietPeriod);
        trimmer.Enter(scrape: true).Dispose();
        _time.Advance(IdleMemoryTrimmer.QuietPeriod);

        Assert.Equal([false, true, false], afterCheck);
    }

    [Fact]
    public void The_real_collection_runs_once_and_says_what_it_returned()
    {
        // The real path (no injected action): its log line is the proof it ran; a GC count could be raised by any
        // other test running in parallel.
        var logger = new CapturingLogger<IdleMemoryTrimmer>();
        using var trimmer = new IdleMemoryTrimmer(_time, logger);
        var garbage = new List<byte[]>();
        using (trimmer.Enter())
        {
            for (var i = 0; i < 64; i++)
            {
                garbage.Add(new byte[64 * 1024]);
            }

            garbage.Clear();
        }

        _time.Advance(IdleMemoryTrimmer.QuietPeriod - TimeSpan.FromSeconds(1));
        Assert.Empty(logger.Entries);
        _time.Advance(TimeSpan.FromSeconds(1));

        var returned = Assert.Single(logger.Named("IdleMemoryReturned"));
        Assert.Equal("", returned.Property("ImageProblem"));
        Assert.True(long.Parse(returned.Property("AfterKiB")!, CultureInfo.InvariantCulture) < long.Parse(returned.Property("BeforeKiB")!, CultureInfo.InvariantCulture),
            $"{returned.Property("BeforeKiB")} KiB before, {returned.Property("AfterKiB")} KiB after");
        Assert.Empty(logger.Named("IdleMemoryNotReturned"));
    }
}
