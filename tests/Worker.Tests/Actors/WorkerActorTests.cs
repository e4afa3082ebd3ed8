using Akka.Actor;
using Akka.TestKit.TestActors;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.DataPlane;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Training.Sharding;
using DistTrainer.Worker.Actors;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Worker.Tests.Actors;

/// <summary>
/// A real worker actor on a worker node, with the test actor as its coordinator (over remoting) and
/// a loopback listener as its parameter server: what it computes, in what order, with which weights.
/// </summary>
public sealed class WorkerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private const string Layers = "linear:2:4,tanh,linear:4:2";
    private const ulong Seed = 3;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);
    private static readonly int[] AllRows = [0, 1, 2, 3];

    private readonly CollectingSink _sink;
    private readonly LoopbackServer _parameterServer = new();
    private readonly Dataset _xor = DatasetLoader.Load(DatasetLoader.Xor, null).Train;
    private readonly WorkerOutcome _outcome = new();
    private readonly ActorSystem _node;
    private int _registrations;

    public WorkerActorTests() : this(new CollectingSink())
    {
    }

    private WorkerActorTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger()))
    {
        _sink = sink;
        // A worker registers when it sees its coordinator up and when it sees itself up, so a second registration may
        // follow the first; a real coordinator changes nothing for it (WorkerRoster): the test actor takes only the first.
        IgnoreMessages<RegisterWorker>(_ => Interlocked.Exchange(ref _registrations, 1) == 1);
        Sys.ActorOf(Props.Create(() => new ForwardActor(TestActor)), ActorNames.Coordinator);
        _node = TestNodes.Worker(sink.CreateLogger(), TestNodes.AddressOf(Sys));
        _node.ActorOf(WorkerActor.Props(new WorkerSettings("w1", null, null, "cpu", 1, TimeSpan.FromSeconds(20)), sink.CreateLogger(), _outcome),
            WorkerActor.Name);
    }

    protected override void AfterAll()
    {
        _node.Terminate().Wait(TimeSpan.FromSeconds(10));
        _parameterServer.Dispose();
        base.AfterAll();
    }

    private TrainingJob Job => new(Layers, "cross-entropy", DatasetLoader.Xor, null, DatasetFingerprint.Of(_xor), Seed, false, _xor.Count,
        "127.0.0.1", _parameterServer.Listener.Port, 5);

    /// <summary>Answers the worker's registration with <paramref name="answer"/>; returns the worker.</summary>
    private IActorRef Registered(Func<RegisterWorker, object> answer)
    {
        var register = ExpectMsg<RegisterWorker>(TimeSpan.FromSeconds(10));
        var worker = LastSender;
        worker.Tell(answer(register), TestActor);
        return worker;
    }

    /// <summary>Accepts the worker and takes its data-plane stream.</summary>
    private (IActorRef Worker, ReceivingEnd Stream) Ready()
    {
        var worker = Registered(register => new WorkerAccepted(register.WorkerId, Job, "token"));
        var stream = _parameterServer.NextConnection();
        Assert.Equal("w1", stream.Connection.PeerId);
        return (worker, stream);
    }

    private static float[] Weights(float shift) =>
        Enumerable.Range(0, 22).Select(i => MathF.Sin(i + 1) * 0.5f + shift).ToArray();

    private static void Publish(ReceivingEnd stream, long version, float[] weights) =>
        stream.Connection.Send(new FrameHeader(FrameKind.Weights, version, version), weights);

    private void Assign(IActorRef worker, long step, int shard, params int[] rows) =>
        worker.Tell(new ComputeShard(step, 0, shard, 0, rows, rows.Length), TestActor);

    private static (long Step, int Shard) Identity(FrameHeader result) => (result.Step, result.ShardId);

    private static FrameHeader NextResult(ReceivingEnd stream)
    {
        var frame = stream.NextFrame();
        Assert.Equal(FrameKind.Gradients, frame.Header.Kind);
        return frame.Header;
    }

    /// <summary>The gradients one shard of the whole xor set gives with <paramref name="weights"/>, computed here.</summary>
    private float[] Expected(float[] weights, long step)
    {
        using var backend = new CpuBackend(1);
        using var computer = new ShardComputer(ModelSpec.Parse(Layers), LossFunction.Parse("cross-entropy"), _xor, backend, _xor.Count, Seed, null);
        computer.LoadWeights(step, weights);
        return computer.Compute(step, 0, AllRows, AllRows.Length, new float[computer.Layout.Length]).Payload;
    }

    [Fact]
    public async Task A_shard_for_weights_older_than_the_newest_is_dropped_without_computing()
    {
        var (worker, stream) = Ready();
        Publish(stream, 1, Weights(0));
        Assign(worker, 1, 0, AllRows);
        Assert.Equal((1L, 0), Identity(NextResult(stream)));

        Assign(worker, 0, 0, AllRows);
        Assign(worker, 1, 1, AllRows);

        Assert.Equal((1L, 1), Identity(NextResult(stream)));
        ExpectNoMsg(Quiet);
        Assert.Equal(0, stream.UntakenFrames);
        var dropped = await _sink.WaitForAsync(e => e.MessageTemplate.Text.EndsWith("dropped, the weights have moved on to version {Version}"),
            TimeSpan.FromSeconds(5));
        Assert.Equal("Step 1 shard 0: dropped, the weights have moved on to version 1", dropped.RenderMessage());
    }

    [Fact]
    public void A_shard_for_newer_weights_waits_for_them_while_current_shards_pass_it()
    {
        var (worker, stream) = Ready();
        Publish(stream, 0, Weights(0));

        Assign(worker, 1, 0, AllRows);
        Assign(worker, 0, 0, AllRows);

        var current = stream.NextFrame();
        Assert.Equal((0L, 0L), (current.Header.Step, current.Header.WeightsVersion));
        Assert.Equal(Expected(Weights(0), 0), current.Payload);
        Thread.Sleep(Quiet);
        Assert.Equal(0, stream.UntakenFrames);

        Publish(stream, 1, Weights(0.25f));
        var waited = stream.NextFrame();
        Assert.Equal((1L, 1L), (waited.Header.Step, waited.Header.WeightsVersion));
        Assert.Equal(Expected(Weights(0.25f), 1), waited.Payload);
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public async Task A_shard_whose_compute_throws_is_reported_failed_with_the_reason_and_the_worker_goes_on()
    {
        var (worker, stream) = Ready();
        Publish(stream, 0, Weights(0));

        Assign(worker, 0, 0, 0, 99);

        var failed = ExpectMsg<ShardFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal((0L, 0, 0, "w1"), (failed.Step, failed.Attempt, failed.ShardId, failed.WorkerId));
        Assert.StartsWith("worker w1: ", failed.Reason);
        Assert.Contains("99", failed.Reason);
        var logged = await _sink.WaitForAsync(e => e.MessageTemplate.Text == "Step {Step} shard {Shard}: {Reason}", TimeSpan.FromSeconds(5));
        Assert.Equal(LogEventLevel.Warning, logged.Level);
        Assert.Equal(0, stream.UntakenFrames);

        Assign(worker, 0, 1, AllRows);
        Assert.Equal(1, NextResult(stream).ShardId);
    }

    [Fact]
    public async Task A_refused_worker_says_why_it_stops_and_its_node_terminates()
    {
        Registered(register => new WorkerRefused(register.WorkerId, "model 'linear:2:4' differs from the run's 'linear:2:8'"));

        var outcome = await _outcome.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("refused by the coordinator: model 'linear:2:4' differs from the run's 'linear:2:8'", outcome);
        var logged = await _sink.WaitForAsync(e => e.MessageTemplate.Text == "Worker {Worker} stops: {Reason}", TimeSpan.FromSeconds(5));
        Assert.Equal(LogEventLevel.Error, logged.Level);
        Assert.Contains("differs from the run's", logged.RenderMessage());
        await _node.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_worker_whose_dataset_differs_from_the_coordinators_withdraws_with_the_reason_and_stops()
    {
        Registered(register => new WorkerAccepted(register.WorkerId, Job with { Data = Job.Data with { Checksum = 42 } }, "token"));

        var withdrew = ExpectMsg<WorkerWithdrew>(TimeSpan.FromSeconds(10));
        Assert.Equal("w1", withdrew.WorkerId);
        Assert.Contains("is not the coordinator's xor (4 samples, checksum 000000000000002a)", withdrew.Reason);
        var outcome = await _outcome.Ended.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"could not prepare: {withdrew.Reason}", outcome);
        await _node.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
