using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.KeyRanges;
using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.DataPlane;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.ParameterServer.Ranges;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Training.Sharding;
using Xunit;
using static DistTrainer.Coordinator.Tests.ParameterServer.HandDrivenSteps;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>
/// The parameter server with its parameters in two key ranges (--ps-shards 2: the xor model's 22 parameters cut at 11),
/// each on a stream of its own (ps-range-streams), driven by hand on its real data plane as a worker would: a head on the main stream and a part per range on that
/// range's stream; each range of the new weights comes back on its own stream. Its robust rule is on (ratio 10).
/// </summary>
public sealed class ParameterServerKeyRangeTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly int[] Cuts = [0, 11, 22];

    private readonly XorTraining _training = new();
    private readonly IActorRef _server;

    public ParameterServerKeyRangeTests() : this(new CollectingSink())
    {
    }

    private ParameterServerKeyRangeTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger())) =>
        _server = _training.StartParameterServer(Sys, sink.CreateLogger(), new ParameterServerSettings(null, MaxShardNormRatio: 10) { Shards = 2, RangeStreams = true });

    protected override void AfterAll()
    {
        base.AfterAll();
        _training.Dispose();
    }

    private TensorListener Listener => _training.Listener!;

    private RangedWorker Connect(string workerId)
    {
        _server.Tell(new AdmitWorker(workerId, TokenOf(workerId)), TestActor);
        var main = new WorkerStream(Listener, workerId, TokenOf(workerId));
        Assert.Equal(workerId, ExpectMsg<WorkerConnected>().WorkerId);
        var worker = new RangedWorker(main, [.. Enumerable.Range(0, 2).Select(range => RangeStream(workerId, range, TokenOf(workerId)))]);
        var (version, weights) = worker.NextWeights();
        Assert.Equal(0, version);
        Assert.Equal(_training.InitialWeights, weights);
        return worker;
    }

    private ReceivingEnd RangeStream(string workerId, int range, string token) =>
        new(TensorClient.Connect("127.0.0.1", _training.RangeHostPort, KeyRangeStreams.PeerId(workerId, range), TimeSpan.FromSeconds(5), retries: 0, token: token));

    private void Begin(long step, Shard[] shards, string worker = "w1") =>
        _server.Tell(new BeginStep(step, 0, shards, shards.Select(_ => worker).ToArray()), TestActor);

    [Fact]
    public void A_result_whose_head_and_parts_come_in_any_order_is_applied_once_whole_and_each_new_range_goes_out_on_its_stream()
    {
        using var worker = Connect("w1");
        Begin(0, TwoShards);

        var first = _training.Result(0.1f);
        worker.SendPart(0, 0, shard: 0, range: 1, first);
        worker.SendHead(0, 0, shard: 0, rows: 2);
        ExpectNoMsg(Quiet);
        worker.SendPart(0, 0, shard: 0, range: 0, first);
        Assert.Equal(0, ExpectMsg<ShardArrived>().ShardId);
        worker.SendResult(0, 0, shard: 1, rows: 2, _training.Result(0.1f));
        Assert.Equal(1, ExpectMsg<ShardArrived>().ShardId);

        var applied = ExpectMsg<StepApplied>();
        Assert.Equal((0L, 1L, 4), (applied.Step, applied.Version, applied.Outcome.Rows));
        var (version, weights) = worker.NextWeights();
        Assert.Equal(1, version);
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * 0.2f), weights, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(0, worker.Main.End.UntakenFrames);
    }

    [Fact]
    public void Parts_that_reach_their_range_before_the_steps_plan_wait_for_it_and_the_model_read_after_the_step_is_gathered_from_every_range()
    {
        using var worker = Connect("w1");
        var gradient = _training.Result(0.1f);
        worker.SendPart(0, 0, shard: 0, range: 0, gradient);
        worker.SendPart(0, 0, shard: 0, range: 1, gradient);
        ExpectNoMsg(Quiet);

        Begin(0, [new Shard(0, 0, 4)]);
        worker.SendHead(0, 0, shard: 0, rows: 4);
        ExpectMsg<ShardArrived>();
        Assert.Equal(1L, ExpectMsg<StepApplied>().Version);
        _server.Tell(EvaluateModel.Instance, TestActor);
        Assert.NotNull(ExpectMsg<ModelEvaluated>().Test);
        _server.Tell(ExportModel.Instance, TestActor);

        Assert.Equal(1L, ExpectMsg<ModelExported>().Step);
        var expected = Minus(_training.InitialWeights, XorTraining.LearningRate * 0.1f);
        Assert.Equal(expected, worker.NextWeights().Weights, (a, b) => Math.Abs(a - b) < 1e-6f);
        var exported = new float[_training.Model.ParameterCount];
        _training.Model.Backend.Download(_training.Model.Parameters, exported);
        Assert.Equal(expected, exported, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Fact]
    public void The_ranges_host_refuses_a_masters_stream_without_its_token_and_any_stream_that_is_not_a_key_ranges()
    {
        var guessed = new ReceivingEnd(TensorClient.Connect("127.0.0.1", _training.RangeHostPort, KeyRangeStreams.ControlPeerId(0),
            TimeSpan.FromSeconds(5), retries: 0, token: "guessed token"));
        var main = new ReceivingEnd(TensorClient.Connect("127.0.0.1", _training.RangeHostPort, "w1", TimeSpan.FromSeconds(5), retries: 0,
            token: TokenOf("w1")));

        Assert.Equal("the stream did not present the token of key range 0's master", guessed.NextFrame().Text());
        Assert.Equal("this listener takes key-range streams alone", main.NextFrame().Text());
        using var worker = Connect("w1");
        Begin(0, [new Shard(0, 0, 4)]);
        worker.SendResult(0, 0, shard: 0, rows: 4, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        Assert.Equal(1L, ExpectMsg<StepApplied>().Version);
    }

    [Fact]
    public async Task A_ranges_server_lost_ends_the_run_with_the_reason_and_the_model_keeps_the_last_version_written_into_it()
    {
        using var worker = Connect("w1");
        Begin(0, [new Shard(0, 0, 4)]);
        worker.SendResult(0, 0, shard: 0, rows: 4, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        ExpectMsg<StepApplied>();
        _server.Tell(ExportModel.Instance, TestActor);
        Assert.Equal(1L, ExpectMsg<ModelExported>().Step);
        Begin(1, [new Shard(0, 0, 4)]);
        worker.SendResult(1, 0, shard: 0, rows: 4, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        ExpectMsg<StepApplied>();

        Sys.Stop(await Sys.ActorSelection($"/user/{RangeHosting.ActorName}").ResolveOne(TimeSpan.FromSeconds(5)));

        Assert.StartsWith("key range ", ExpectMsg<RangeFailed>().Reason);
        _server.Tell(new SaveCheckpoint("never-written.safetensors"), TestActor);
        Assert.StartsWith("key range ", ExpectMsg<CheckpointSaved>().Error);
        _server.Tell(ExportModel.Instance, TestActor);
        Assert.Equal(1L, ExpectMsg<ModelExported>().Step);
    }

    [Fact]
    public void A_part_holding_a_NaN_rejects_its_workers_shard_as_not_finite_and_a_part_of_another_length_as_malformed()
    {
        using var worker = Connect("w1");
        using var other = Connect("w2");
        _server.Tell(new BeginStep(0, 0, TwoShards, ["w1", "w2"]), TestActor);
        var nan = _training.Result(0.1f);
        nan[15] = float.NaN;

        worker.SendResult(0, 0, shard: 0, rows: 2, nan);
        other.SendHead(0, 0, shard: 1, rows: 2);
        other.Ranges[1].Connection.Send(new FrameHeader(FrameKind.GradientPart, 0, 0, 1, Layer: 1), new float[4]);

        // Two workers' streams: their rejections come in either order.
        var rejected = new[] { ExpectMsg<ShardRejected>(), ExpectMsg<ShardRejected>() }.OrderBy(r => r.ShardId).ToArray();
        Assert.Equal((0, "w1", ShardVerdict.NotFinite), (rejected[0].ShardId, rejected[0].WorkerId, rejected[0].Verdict));
        var malformed = rejected[1];
        Assert.Equal((1, "w2", ShardVerdict.Rejected), (malformed.ShardId, malformed.WorkerId, malformed.Verdict));
        Assert.Equal("its part 1 of shard 1 of step 1 carries 4 floats; the range has 11", malformed.Reason);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_range_stream_without_its_workers_token_or_for_a_range_the_run_does_not_have_is_refused_and_the_worker_keeps_its_streams()
    {
        using var worker = Connect("w1");
        var guessedEnd = RangeStream("w1", 0, "guessed token");
        var missingEnd = RangeStream("w1", 2, TokenOf("w1"));
        using var guessed = guessedEnd.Connection;
        using var missing = missingEnd.Connection;

        Assert.Equal("worker 'w1': the stream did not present the token of that worker's registration", guessedEnd.NextFrame().Text());
        Assert.Equal("key range 2 is not served here", missingEnd.NextFrame().Text());
        Begin(0, [new Shard(0, 0, 4)]);
        worker.SendResult(0, 0, shard: 0, rows: 4, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        Assert.Equal(1L, ExpectMsg<StepApplied>().Version);
        Assert.Equal(1, worker.NextWeights().Version);
    }

    [Fact]
    public void A_worker_whose_range_stream_closes_loses_its_main_stream_too_and_is_reported_disconnected_once()
    {
        using var worker = Connect("w1");

        worker.Ranges[1].Connection.Dispose();

        Assert.Equal("w1", ExpectMsg<WorkerDisconnected>().WorkerId);
        worker.Main.End.WaitClosed();
        worker.Ranges[0].WaitClosed();
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_whole_result_on_the_main_stream_of_a_run_in_key_ranges_closes_that_stream()
    {
        using var worker = Connect("w1");
        Begin(0, [new Shard(0, 0, 4)]);

        worker.Main.SendResult(0, 0, 0, 4, _training.Result(0.1f));

        Assert.Equal("w1", ExpectMsg<WorkerDisconnected>().WorkerId);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void An_outlier_computed_again_by_another_worker_is_summed_from_that_workers_parts()
    {
        using var worker = Connect("w1");
        using var other = Connect("w2");
        Begin(0, FourShards);

        for (int shard = 0; shard < 4; shard++)
            worker.SendResult(0, 0, shard, rows: 1, _training.Result(shard == 2 ? -100f : 0.1f));
        for (int shard = 0; shard < 4; shard++) Assert.Equal(shard, ExpectMsg<ShardArrived>().ShardId);
        Assert.Equal((2, ShardVerdict.Outlier), ExpectMsg<ShardRejected>() is var r ? (r.ShardId, r.Verdict) : default);
        _server.Tell(new ShardReassigned(0, 0, 2, "w2"), TestActor);
        other.SendResult(0, 0, shard: 2, rows: 1, _training.Result(0.1f));

        Assert.Equal((2, "w2"), ExpectMsg<ShardArrived>() is var a ? (a.ShardId, a.WorkerId) : default);
        Assert.Equal(new WrongGradient(0, "w1"), ExpectMsg<WrongGradient>());
        Assert.Equal(["w1", "w1", "w2", "w1"], ExpectMsg<StepApplied>().ShardSenders);
        Assert.Equal(Minus(_training.InitialWeights, XorTraining.LearningRate * 0.4f), worker.NextWeights().Weights, (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    /// <summary>A worker's streams driven by hand: its main stream and one per key range.</summary>
    private sealed class RangedWorker(WorkerStream main, ReceivingEnd[] ranges) : IDisposable
    {
        public WorkerStream Main => main;
        public ReceivingEnd[] Ranges => ranges;

        /// <summary>A head alone: the xor model has no batch norm, so its payload is empty.</summary>
        public void SendHead(long step, int attempt, int shard, int rows) =>
            main.End.Connection.Send(new FrameHeader(FrameKind.ResultHead, step, step, shard, SampleCount: rows, Correct: rows / 2,
                LossSum: 0.5 * rows, Attempt: attempt), Array.Empty<float>());

        /// <summary>Range <paramref name="range"/>'s part of <paramref name="gradient"/>, a whole result's payload.</summary>
        public void SendPart(long step, int attempt, int shard, int range, float[] gradient) =>
            ranges[range].Connection.Send(new FrameHeader(FrameKind.GradientPart, step, step, shard, Layer: range, Attempt: attempt),
                gradient[Cuts[range]..Cuts[range + 1]]);

        public void SendResult(long step, int attempt, int shard, int rows, float[] gradient)
        {
            SendHead(step, attempt, shard, rows);
            for (int range = 0; range < ranges.Length; range++) SendPart(step, attempt, shard, range, gradient);
        }

        /// <summary>The next version, one range from each range stream.</summary>
        public (long Version, float[] Weights) NextWeights()
        {
            var frames = ranges.Select(r => r.NextFrame()).ToArray();
            Assert.All(frames, (frame, range) => Assert.Equal((FrameKind.WeightsRange, range), (frame.Header.Kind, frame.Header.Layer)));
            Assert.Single(frames.Select(f => f.Header.WeightsVersion).Distinct());
            return (frames[0].Header.WeightsVersion, [.. frames.SelectMany(f => f.Payload)]);
        }

        public void Dispose()
        {
            main.Dispose();
            foreach (var range in ranges) range.Connection.Dispose();
        }
    }
}
