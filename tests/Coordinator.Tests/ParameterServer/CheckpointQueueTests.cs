using Akka.Actor;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using Serilog.Core;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

public sealed class CheckpointQueueTests
{
    private readonly CheckpointQueue _queue = new(Logger.None);

    /// <summary>A write under way past the stall bound is said once, in a warning, at the first checkpoint it makes skipped.</summary>
    [Fact]
    public void A_write_that_stalls_is_warned_of_once_when_it_first_skips_a_checkpoint()
    {
        var sink = new CollectingSink();
        var clock = new ManualClock();
        var queue = new CheckpointQueue(sink.CreateLogger(), clock);
        queue.Due("model", 2);

        clock.Now += CheckpointQueue.StallWarning / 2;
        Assert.Null(queue.Due("model", 4));
        clock.Now += CheckpointQueue.StallWarning;
        Assert.Null(queue.Due("model", 6));
        Assert.Null(queue.Due("model", 8));

        var warning = Assert.Single(sink.Events, e => e.Level == LogEventLevel.Warning);
        Assert.Equal("Checkpoint \"model\" of step 6 skipped: the previous write has been under way for 15 s (a stalled disk?); " +
                     "no newer checkpoint or standby snapshot is taken until it ends", warning.RenderMessage());
        // The next write is timed from its own start.
        Assert.Null(queue.Written());
        queue.Due("model", 10);
        Assert.Null(queue.Due("model", 12));
        Assert.Single(sink.Events, e => e.Level == LogEventLevel.Warning);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_periodic_checkpoint_due_while_one_is_being_written_is_skipped()
    {
        Assert.Equal(new CheckpointJob("model", null), _queue.Due("model", 2));

        Assert.Null(_queue.Due("model", 4));
        Assert.Null(_queue.Written());
        Assert.False(_queue.Writing);
        Assert.Equal(new CheckpointJob("model", null), _queue.Due("model", 6));
    }

    [Fact]
    public void A_requested_checkpoint_waits_for_the_write_in_flight_then_starts()
    {
        _queue.Due("model", 2);

        Assert.Null(_queue.Requested("final", ActorRefs.Nobody, out var refusal));
        Assert.Null(refusal);
        Assert.Equal(new CheckpointJob("final", ActorRefs.Nobody), _queue.Written());
        Assert.True(_queue.Writing);
        Assert.Null(_queue.Due("model", 4));
        Assert.Null(_queue.Written());
    }

    [Fact]
    public void A_request_with_nothing_in_flight_starts_at_once()
    {
        Assert.Equal(new CheckpointJob("final", ActorRefs.Nobody), _queue.Requested("final", ActorRefs.Nobody, out var refusal));
        Assert.Null(refusal);
        Assert.True(_queue.Writing);
    }

    [Fact]
    public void A_second_request_while_one_waits_is_refused_with_its_reason()
    {
        _queue.Due("model", 2);
        _queue.Requested("final", ActorRefs.Nobody, out _);

        Assert.Null(_queue.Requested("again", ActorRefs.Nobody, out var refusal));

        Assert.Equal("checkpoint again: another checkpoint is already waiting to be written", refusal);
        Assert.Equal("final", _queue.Written()!.Path);
    }

    [Fact]
    public void A_periodic_write_that_failed_hands_back_the_request_that_waited_and_nothing_is_written_after_it()
    {
        _queue.Due("model", 2);
        _queue.Requested("final", ActorRefs.Nobody, out _);

        Assert.Equal(new CheckpointJob("final", ActorRefs.Nobody), _queue.Failed("disk full"));

        Assert.False(_queue.Writing);
        Assert.Equal("disk full", _queue.Failure);
        Assert.Null(_queue.Due("model", 4));
        Assert.Null(_queue.Requested("again", ActorRefs.Nobody, out var refusal));
        Assert.Equal("disk full", refusal);
    }

    [Fact]
    public void A_periodic_write_that_failed_with_no_request_waiting_hands_back_none()
    {
        _queue.Due("model", 2);

        Assert.Null(_queue.Failed("disk full"));
        Assert.Equal("disk full", _queue.Failure);
    }
}
