using System.Diagnostics;
using Akka.Configuration;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

public sealed class TokenBucketTests
{
    private const double BytesPerSecond = 1000;

    /// <summary>A clock that moves only when someone sleeps on it, by exactly the time asked.</summary>
    private sealed class FakeClock
    {
        public long Ticks { get; private set; }

        public List<TimeSpan> Sleeps { get; } = [];

        public void Advance(TimeSpan by) => Ticks += (long)(by.TotalSeconds * Stopwatch.Frequency);

        public void Sleep(TimeSpan duration)
        {
            Sleeps.Add(duration);
            Advance(duration);
        }

        public TokenBucket Bucket(long burst) => new(BytesPerSecond, burst, () => Ticks, Sleep);
    }

    [Fact]
    public void Bytes_within_the_burst_pass_at_once_and_the_rest_waits_at_the_rate()
    {
        var clock = new FakeClock();
        var bucket = clock.Bucket(burst: 100);

        Assert.Equal(TimeSpan.Zero, bucket.Take(100));
        var waited = bucket.Take(500);

        Assert.Equal(0.5, waited.TotalSeconds, 3);
        Assert.Equal(0.5, clock.Ticks / (double)Stopwatch.Frequency, 3);
    }

    [Fact]
    public void A_steady_stream_goes_at_the_rate_whatever_the_frame_size()
    {
        var clock = new FakeClock();
        var bucket = clock.Bucket(burst: 0);

        for (int i = 0; i < 40; i++) bucket.Take(i % 2 == 0 ? 10 : 90);

        Assert.Equal(2.0, clock.Ticks / (double)Stopwatch.Frequency, 3);
    }

    [Fact]
    public void Idle_time_earns_no_more_than_the_burst()
    {
        var clock = new FakeClock();
        var bucket = clock.Bucket(burst: 100);
        clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.Zero, bucket.Take(100));
        Assert.Equal(0.2, bucket.Take(200).TotalSeconds, 3);
    }

    [Fact]
    public void A_caller_waits_only_for_its_own_debt_and_leaves_none_behind()
    {
        var clock = new FakeClock();
        var bucket = clock.Bucket(burst: 100);

        bucket.Take(1100);
        Assert.Equal(1.0, clock.Sleeps.Sum(s => s.TotalSeconds), 3);
        clock.Sleeps.Clear();
        clock.Advance(TimeSpan.FromSeconds(0.1));

        Assert.Equal(TimeSpan.Zero, bucket.Take(100));
        Assert.Empty(clock.Sleeps);
    }

    [Fact]
    public void A_sender_waits_for_its_turn_and_leaves_its_own_bytes_to_the_next()
    {
        var clock = new FakeClock();
        var bucket = clock.Bucket(burst: 0);

        Assert.Equal(TimeSpan.Zero, bucket.TakeTurn(500));
        Assert.Equal(0.5, bucket.TakeTurn(300).TotalSeconds, 3);
        // A receiver then pays the 300 bytes the second sender left, and its own 100.
        Assert.Equal(0.4, bucket.Take(100).TotalSeconds, 3);
    }

    [Fact]
    public void Callers_sharing_a_link_are_served_one_after_the_other()
    {
        var bucket = new TokenBucket(1e6, burstBytes: 0);
        var started = Stopwatch.GetTimestamp();

        Parallel.For(0, 4, _ => bucket.Take(25_000));

        // Four 25 kB frames through one 1 MB/s link take 100 ms together, not the 25 ms of one.
        Assert.InRange(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 95, 2000);
    }

    [Fact]
    public void The_link_is_off_unless_configured_and_each_set_of_options_gets_its_own()
    {
        var off = DataPlaneOptions.Create(ClusterConfigBuilder.Embedded);
        var on = ConfigurationFactory.ParseString("disttrainer.data-plane.link-gbits = 10").WithFallback(ClusterConfigBuilder.Embedded);

        var first = DataPlaneOptions.Create(on).Link;
        var second = DataPlaneOptions.Create(on).Link;

        Assert.Null(off.Link);
        Assert.NotNull(first);
        Assert.Equal(1.25e9, first.Send.BytesPerSecond);
        Assert.NotSame(first.Send, first.Receive);
        Assert.NotSame(first.Send, second!.Send);
    }

    [Fact]
    public void A_negative_rate_is_refused_naming_the_setting()
    {
        var bad = ConfigurationFactory.ParseString("disttrainer.data-plane.link-gbits = -1").WithFallback(ClusterConfigBuilder.Embedded);

        var error = Assert.ThrowsAny<Exception>(() => LinkCap.Create(bad));

        Assert.Contains("link-gbits", error.Message);
    }
}
