using Akka.Actor;
using DistTrainer.Coordinator.ParameterServer;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

public sealed class CheckpointQueueTests
{
    private readonly CheckpointQueue _queue = new(Logger.None);

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
