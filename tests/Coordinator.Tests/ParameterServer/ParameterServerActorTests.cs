using System.Runtime.InteropServices;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.DataPlane;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Training.Sharding;
using Serilog.Events;
using Xunit;
using static DistTrainer.Coordinator.Tests.ParameterServer.HandDrivenSteps;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>
/// The parameter server with the test actor as its coordinator and shard results sent by hand on
/// its real data plane: what it takes, what it drops and counts, and that nothing bad reaches the weights.
/// Its robust rule is on (ratio 10); a step of one or two shards is not judged before the rule's warm-up.
/// </summary>
public sealed class ParameterServerActorTests : Akka.TestKit.Xunit2.TestKit
{

    private readonly CollectingSink _sink;
    private readonly XorTraining _training = new();
    private readonly IActorRef _server;

    public ParameterServerActorTests() : this(new CollectingSink())
    {
    }

    private ParameterServerActorTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger()))
    {
        _sink = sink;
        _server = _training.StartParameterServer(Sys, sink.CreateLogger(), maxShardNormRatio: 10);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _training.Dispose();
    }

    private TensorListener Listener => _training.Listener!;

    /// <summary>Admits <paramref name="workerId"/> and connects its stream, which first gets the published weights.</summary>
    private WorkerStream Connect(string workerId, out ReceivedFrame weights)
    {
        _server.Tell(new AdmitWorker(workerId, TokenOf(workerId)), TestActor);
        var stream = new WorkerStream(Listener, workerId, TokenOf(workerId));
        Assert.Equal(workerId, ExpectMsg<WorkerConnected>().WorkerId);
        weights = stream.NextWeights();
        return stream;
    }

    /// <summary>Begins attempt 0 of <paramref name="step"/> with every shard assigned to w1.</summary>
    private void Begin(long step, params Shard[] shards) =>
        _server.Tell(new BeginStep(step, 0, shards, shards.Select(_ => "w1").ToArray()), TestActor);

    /// <summary>
    /// An error inside a handler (here a plan with no shards, which no coordinator sends) leaves the state half-way: the
    /// parameter server is not restarted on it by Akka with its data plane closed, which left the run waiting for ever.
    /// </summary>
    [Fact]
    public void An_error_in_a_handler_is_reported_to_the_coordinator_and_stops_the_parameter_server()
    {
        Watch(_server);

        _server.Tell(new BeginStep(0, 0, null!, []), TestActor);

        var failed = ExpectMsg<ParameterServerFailed>();
        Assert.StartsWith("the parameter server failed at step 1 on BeginStep: ", failed.Reason);
        ExpectTerminated(_server);
        Assert.Contains(_sink.Events, e => e.Level == Serilog.Events.LogEventLevel.Error && e.RenderMessage().Contains(failed.Reason));
    }

    [Fact]
    public async Task A_gradient_holding_NaN_is_rejected_with_a_logged_reason_and_never_applied()
    {
        using var worker = Connect("w1", out var initial);
        Assert.Equal(0, initial.Header.WeightsVersion);
        Assert.Equal(_training.InitialWeights, initial.Payload);
        Begin(0, TwoShards);

        var poisoned = _training.Result(0.1f);
        poisoned[3] = float.NaN;
        worker.SendResult(0, 0, 0, 2, poisoned);
        worker.SendResult(0, 0, 1, 2, _training.Result(0.1f));

        var rejected = ExpectMsg<ShardRejected>();
        Assert.Equal((0L, 0, 0, "w1", true), (rejected.Step, rejected.Attempt, rejected.ShardId, rejected.WorkerId, rejected.NotFinite));
        Assert.Contains("NaN or infinite gradient", rejected.Reason);
        var logged = await _sink.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Step {Step}: rejected shard"), TimeSpan.FromSeconds(5));
        Assert.Equal(LogEventLevel.Warning, logged.Level);
        Assert.Contains(rejected.Reason, logged.RenderMessage());
        Assert.Equal(1, ExpectMsg<ShardArrived>().ShardId);
        ExpectNoMsg(Quiet);

        // Nothing was applied: no new weights went out, and a worker connecting now gets version 0 unchanged.
        Assert.Equal(0, worker.End.UntakenFrames);
        using (Connect("w2", out var published))
        {
            Assert.Equal(0, published.Header.WeightsVersion);
            Assert.Equal(_training.InitialWeights, published.Payload);
        }
        Assert.Equal("w2", ExpectMsg<WorkerDisconnected>().WorkerId);

        // The shard computed again (the coordinator reassigns it: w1 is its only worker) completes the step with finite gradients only.
        _server.Tell(new ShardReassigned(0, 0, 0, "w1"), TestActor);
        worker.SendResult(0, 0, 0, 2, _training.Result(0.1f));
        Assert.Equal(0, ExpectMsg<ShardArrived>().ShardId);
        var applied = ExpectMsg<StepApplied>();
        Assert.Equal((0L, 1L), (applied.Step, applied.Version));
        Assert.Equal(new AggregationCounts(0, 0, 1), applied.Counts);
        var next = worker.NextWeights();
        Assert.Equal(1, next.Header.WeightsVersion);
        // SGD on the sum of the two shards' gradients (0.1 each).
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * 0.2f), next.Payload, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void Duplicate_and_late_results_are_dropped_and_counted_and_never_summed()
    {
        using var worker = Connect("w1", out _);
        Begin(0, TwoShards);

        worker.SendResult(0, 0, 0, 2, _training.Result(0.1f));
        Assert.Equal(0, ExpectMsg<ShardArrived>().ShardId);
        worker.SendResult(0, 0, 0, 2, _training.Result(100f));
        ExpectNoMsg(Quiet);
        worker.SendResult(0, 0, 1, 2, _training.Result(0.1f));
        Assert.Equal(1, ExpectMsg<ShardArrived>().ShardId);
        var first = ExpectMsg<StepApplied>();
        Assert.Equal(new AggregationCounts(1, 0, 0), first.Counts);
        Assert.Equal((2.0, 2, 4), (first.Outcome.LossSum, first.Outcome.Correct, first.Outcome.Rows));
        var weights = worker.NextWeights();
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * 0.2f), weights.Payload, (a, b) => Math.Abs(a - b) < 1e-6f);

        Begin(1, new Shard(0, 0, 4));
        worker.SendResult(0, 0, 1, 2, _training.Result(100f));
        worker.SendResult(1, 1, 0, 4, _training.Result(100f));
        ExpectNoMsg(Quiet);
        worker.SendResult(1, 0, 0, 4, _training.Result(0.2f));
        Assert.Equal(0, ExpectMsg<ShardArrived>().ShardId);
        var second = ExpectMsg<StepApplied>();
        Assert.Equal((1L, 2L), (second.Step, second.Version));
        Assert.Equal(new AggregationCounts(1, 2, 0), second.Counts);
        Assert.Equal(Minus(weights.Payload, XorTraining.LearningRate * 0.2f), worker.NextWeights().Payload, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Contains(_sink.Events, e => e.Level == LogEventLevel.Debug && e.RenderMessage().Contains("dropped a Duplicate result of shard 0"));
        Assert.Contains(_sink.Events, e => e.Level == LogEventLevel.Debug && e.RenderMessage().Contains("dropped a Late result of shard 1"));
    }

    [Fact]
    public async Task A_frame_with_a_bad_checksum_closes_the_stream_with_a_reason_and_is_never_aggregated()
    {
        _server.Tell(new AdmitWorker("w1", TokenOf("w1")), TestActor);
        using var raw = new RawPeer(Listener);
        raw.SendHello(HelloText.Format("w1", TokenOf("w1")));
        ExpectMsg<WorkerConnected>();
        Begin(0, new Shard(0, 0, 4));

        var frame = RawPeer.Frame(new FrameHeader(FrameKind.Gradients, SampleCount: 4, LossSum: 2),
            MemoryMarshal.AsBytes(_training.Result(0.1f).AsSpan()).ToArray());
        frame[^1] ^= 0x01;
        raw.Send(frame);

        var disconnected = ExpectMsg<WorkerDisconnected>();
        Assert.Equal("w1", disconnected.WorkerId);
        Assert.Contains("checksum mismatch on a Gradients frame of step 0", disconnected.Reason);
        var logged = await _sink.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Data plane: worker {Worker} disconnected"), TimeSpan.FromSeconds(5));
        Assert.Contains("checksum mismatch", logged.RenderMessage());
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_worker_the_coordinator_lost_has_its_stream_closed_at_once_and_no_disconnect_reported_back()
    {
        using var worker = Connect("w1", out _);

        _server.Tell(new DropWorker("w1", "its node is unreachable"), TestActor);

        Assert.Equal(CloseCause.PeerClosed, worker.End.WaitClosed().Cause);
        ExpectNoMsg(Quiet);
        using var again = new WorkerStream(Listener, "w1", TokenOf("w1"));
        Assert.Equal("worker 'w1' is not registered with the coordinator", again.End.NextFrame().Text());
    }

    [Fact]
    public void A_stream_from_a_worker_the_coordinator_did_not_admit_is_refused_with_a_reason()
    {
        var stranger = new ReceivingEnd(TensorClient.Connect("127.0.0.1", Listener.Port, "stranger", TimeSpan.FromSeconds(5), retries: 0));

        var refused = stranger.NextFrame();
        Assert.Equal(FrameKind.Refused, refused.Header.Kind);
        Assert.Equal("worker 'stranger' is not registered with the coordinator", refused.Text());
        stranger.WaitClosed();
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_stream_that_claims_a_connected_worker_without_its_token_is_refused_and_the_worker_keeps_its_stream()
    {
        using var worker = Connect("w1", out _);
        using var hijacker = new WorkerStream(Listener, "w1", "guessed token");

        var refused = hijacker.End.NextFrame();
        Assert.Equal(FrameKind.Refused, refused.Header.Kind);
        Assert.Equal("worker 'w1': the stream did not present the token of that worker's registration", refused.Text());
        hijacker.End.WaitClosed();
        ExpectNoMsg(Quiet);
        Begin(0, new Shard(0, 0, 4));
        worker.SendResult(0, 0, 0, 4, _training.Result(0.1f));
        Assert.Equal(0, ExpectMsg<ShardArrived>().ShardId);
        Assert.Equal(1L, ExpectMsg<StepApplied>().Version);
        Assert.Equal(1, worker.NextWeights().Header.WeightsVersion);
        Assert.Equal(0, hijacker.End.UntakenFrames);
    }

    [Fact]
    public void A_sum_of_finite_shards_that_overflows_fails_the_step_and_keeps_the_weights()
    {
        using var worker = Connect("w1", out _);
        Begin(0, TwoShards);

        worker.SendResult(0, 0, 0, 2, _training.Result(3e38f));
        worker.SendResult(0, 0, 1, 2, _training.Result(3e38f));

        ExpectMsg<ShardArrived>();
        ExpectMsg<ShardArrived>();
        var failed = ExpectMsg<StepFailed>();
        Assert.Equal(0, failed.Step);
        Assert.Contains("summed gradient of step 1 is not finite", failed.Reason);
        using (Connect("w2", out var published))
        {
            Assert.Equal(0, published.Header.WeightsVersion);
            Assert.Equal(_training.InitialWeights, published.Payload);
        }
        Assert.Equal(0, worker.End.UntakenFrames);
    }

    [Fact]
    public void A_step_applied_names_the_worker_taken_for_each_shard_even_with_the_next_step_already_begun()
    {
        using var first = Connect("w1", out _);
        using var second = Connect("w2", out _);
        _server.Tell(new BeginStep(0, 0, TwoShards, ["w1", "w2"]), TestActor);
        _server.Tell(new BeginStep(1, 0, TwoShards, ["w2", "w2"]), TestActor);

        first.SendResult(0, 0, 0, 2, _training.Result(0.1f));
        second.SendResult(0, 0, 1, 2, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        ExpectMsg<ShardArrived>();
        Assert.Equal(["w1", "w2"], ExpectMsg<StepApplied>().ShardSenders);

        second.SendResult(1, 0, 0, 2, _training.Result(0.1f));
        second.SendResult(1, 0, 1, 2, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        ExpectMsg<ShardArrived>();
        var applied = ExpectMsg<StepApplied>();
        Assert.Equal(1L, applied.Step);
        Assert.Equal(["w2", "w2"], applied.ShardSenders);
    }

    [Fact]
    public void A_result_from_a_worker_its_shard_is_not_assigned_to_is_dropped_counted_and_never_summed()
    {
        using var assigned = Connect("w1", out _);
        using var stranger = Connect("w2", out _);
        Begin(0, TwoShards);

        stranger.SendResult(0, 0, 0, 2, _training.Result(100f));
        ExpectNoMsg(Quiet);
        assigned.SendResult(0, 0, 0, 2, _training.Result(0.1f));
        assigned.SendResult(0, 0, 1, 2, _training.Result(0.1f));

        Assert.Equal([0, 1], new[] { ExpectMsg<ShardArrived>().ShardId, ExpectMsg<ShardArrived>().ShardId });
        var applied = ExpectMsg<StepApplied>();
        Assert.Equal(new AggregationCounts(0, 0, 0, Unassigned: 1), applied.Counts);
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * 0.2f), assigned.NextWeights().Payload,
            (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Contains(_sink.Events, e => e.Level == LogEventLevel.Warning &&
                                           e.RenderMessage().Contains("dropped a result of shard 0 from worker \"w2\", which that shard is not assigned to"));
    }

    /// <summary>
    /// The outlier is computed again by w2: a different result shows w1's wrong (a warning, and <see cref="WrongGradient"/> so
    /// that it counts against w1); the same one is the data's (information only, and w2's result is taken).
    /// </summary>
    [Theory]
    [InlineData(0.1f, true)]
    [InlineData(-100f, false)]
    public void A_shard_a_thousand_times_its_steps_others_is_withdrawn_and_its_recomputation_elsewhere_completes_the_step(float again, bool wrong)
    {
        using var worker = Connect("w1", out _);
        using var other = Connect("w2", out _);
        Begin(0, FourShards);

        for (int shard = 0; shard < 4; shard++)
            worker.SendResult(0, 0, shard, 1, _training.Result(shard == 2 ? -100f : 0.1f));
        for (int shard = 0; shard < 4; shard++) Assert.Equal(shard, ExpectMsg<ShardArrived>().ShardId);
        var rejected = ExpectMsg<ShardRejected>();
        Assert.Equal((0L, 0, 2, "w1", ShardVerdict.Outlier), (rejected.Step, rejected.Attempt, rejected.ShardId, rejected.WorkerId, rejected.Verdict));
        Assert.Equal("its gradient norm is 1000.0 times its step's others (limit 10)", rejected.Reason);
        ExpectNoMsg(Quiet);

        _server.Tell(new ShardReassigned(0, 0, 2, "w2"), TestActor);
        worker.SendResult(0, 0, 2, 1, _training.Result(0.1f));
        ExpectNoMsg(Quiet);
        other.SendResult(0, 0, 2, 1, _training.Result(again));

        var arrived = ExpectMsg<ShardArrived>();
        Assert.Equal((2, "w2"), (arrived.ShardId, arrived.WorkerId));
        if (wrong) Assert.Equal(new WrongGradient(0, "w1"), ExpectMsg<WrongGradient>());
        var applied = ExpectMsg<StepApplied>();
        Assert.Equal(new AggregationCounts(0, 0, 1, Unassigned: 1), applied.Counts);
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * (0.3f + again)), worker.NextWeights().Payload,
            (a, b) => Math.Abs(a - b) < 1e-5f);
        // The one other warning is w1's second result for shard 2, dropped as unassigned.
        var warnings = _sink.Events.Where(e => e.Level == LogEventLevel.Warning && !e.RenderMessage().Contains("not assigned"))
            .Select(e => e.RenderMessage()).ToList();
        if (wrong) Assert.Equal(["Step 1: worker \"w1\" sent a wrong gradient for shard 2: another worker's result differs"], warnings);
        else Assert.Empty(warnings);
    }

    [Fact]
    public void A_step_that_ends_an_epoch_is_scored_with_its_own_weights_before_the_step_sent_ahead_is_applied()
    {
        using var worker = Connect("w1", out _);
        _server.Tell(new BeginStep(0, 0, TwoShards, ["w1", "w1"], EndsEpoch: true), TestActor);
        Begin(1, TwoShards);

        // Step 1's results are in before anyone could ask for step 0's score: the score must still be step 0's.
        worker.SendResult(0, 0, 0, 2, _training.Result(0.1f));
        worker.SendResult(0, 0, 1, 2, _training.Result(0.1f));
        worker.SendResult(1, 0, 0, 2, _training.Result(0.5f));
        worker.SendResult(1, 0, 1, 2, _training.Result(0.5f));

        ExpectMsg<ShardArrived>();
        ExpectMsg<ShardArrived>();
        Assert.Equal(0, ExpectMsg<StepApplied>().Step);
        var scored = ExpectMsg<ModelEvaluated>().Test;
        Assert.Equal(1, ExpectMsg<ShardArrived>().Step);
        ExpectMsg<ShardArrived>();
        Assert.Equal(1, ExpectMsg<StepApplied>().Step);
        ExpectNoMsg(Quiet);
        _server.Tell(EvaluateModel.Instance, TestActor);
        var later = ExpectMsg<ModelEvaluated>().Test;
        Assert.NotNull(scored);
        Assert.NotEqual(scored!.Value.LossSum, later!.Value.LossSum);
    }

    [Fact]
    public void A_plan_again_for_a_step_already_applied_is_ignored_without_a_warning_and_a_plan_from_the_future_is_warned()
    {
        using var worker = Connect("w1", out _);
        Begin(0, TwoShards);
        worker.SendResult(0, 0, 0, 2, _training.Result(0.1f));
        worker.SendResult(0, 0, 1, 2, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        ExpectMsg<ShardArrived>();
        ExpectMsg<StepApplied>();

        // The coordinator lost a worker before it heard of step 1's weights, and planned step 1 again.
        _server.Tell(new BeginStep(0, 1, TwoShards, ["w1", "w1"]), TestActor);
        Begin(5, TwoShards);
        ExpectNoMsg(Quiet);

        var ignored = _sink.Events.Where(e => e.MessageTemplate.Text.StartsWith("Ignored a plan")).ToList();
        Assert.Equal([LogEventLevel.Debug, LogEventLevel.Warning], ignored.Select(e => e.Level));
        Assert.Equal("Ignored a plan for step 6 while at step 2", ignored[1].RenderMessage());
    }
}
