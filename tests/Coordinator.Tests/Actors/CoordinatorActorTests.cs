using System.Diagnostics;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Core.Training;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>
/// The coordinator and a real parameter server on one node, with workers that are test probes on
/// nodes of their own: registration, deadlines, lost workers, a worker joining mid-run, and a run
/// left with no worker at all.
/// </summary>
public sealed class CoordinatorActorTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Never = TimeSpan.FromSeconds(60);

    private readonly CollectingSink _sink;
    private readonly XorTraining _training = new();
    private readonly IActorRef _server;
    private readonly List<FakeWorker> _workers = [];
    private readonly TaskCompletionSource<DistributedRunReport> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CoordinatorActorTests() : this(new CollectingSink())
    {
    }

    private CoordinatorActorTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger()))
    {
        _sink = sink;
        _server = _training.StartParameterServer(Sys, sink.CreateLogger());
    }

    protected override void AfterAll()
    {
        foreach (var worker in _workers) worker.Dispose();
        base.AfterAll();
        _training.Dispose();
    }

    private Address Node => TestNodes.AddressOf(Sys);

    private IActorRef StartCoordinator(int expectWorkers, long steps, TimeSpan shardDeadline, TimeSpan workerTimeout) =>
        Sys.ActorOf(CoordinatorActor.Props(_training.Settings(expectWorkers, steps, shardDeadline, workerTimeout), _server, new IgnoreProgress(),
            _completion, _sink.CreateLogger()), ActorNames.Coordinator);

    private async Task<FakeWorker> JoinAsync(string id)
    {
        var worker = await FakeWorker.JoinAsync(this, id);
        _workers.Add(worker);
        return worker;
    }

    private async Task<FakeWorker> EnlistAsync(string id)
    {
        var worker = await JoinAsync(id);
        worker.Enlist(Node, _training.Listener!);
        return worker;
    }

    /// <summary>The run's report; a run that does not end in time fails the test with everything the nodes logged, to tell why.</summary>
    private async Task<DistributedRunReport> RunEnded()
    {
        try
        {
            return await _completion.Task.WaitAsync(RunTimeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the run did not end within {RunTimeout.TotalSeconds:F0} s; the nodes logged:\n" +
                                       string.Join("\n", _sink.Events.Select(l => $"{l.Timestamp:HH:mm:ss.fff} {l.Level} {l.RenderMessage()}")), e);
        }
    }

    private Task<LogEvent> Logged(string text) => _sink.WaitForAsync(e => e.RenderMessage().Contains(text), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task A_coordinator_stopped_before_its_run_ended_says_so_in_the_run_s_outcome_and_not_as_a_crash()
    {
        Sys.Stop(StartCoordinator(1, 1, Never, Never));

        var stopped = await Assert.ThrowsAsync<CoordinatorStoppedException>(RunEnded);
        Assert.Contains("--resume", stopped.Message);
    }

    [Fact]
    public async Task A_parameter_server_that_stops_before_the_run_ended_ends_the_run_instead_of_leaving_it_waiting()
    {
        StartCoordinator(1, 1, Never, Never);

        Sys.Stop(_server);

        var report = await RunEnded();
        Assert.Equal(("the parameter server stopped before the run ended", FailureKind.ParameterServer),
            (report.Result.Failure, report.Result.FailureKind));
    }

    [Theory]
    [InlineData(ProtocolVersion.Current + 1, null, "protocol version 11; the coordinator speaks 10")]
    [InlineData(ProtocolVersion.Current, "linear:2:8,tanh,linear:8:2", "model 'linear:2:8,tanh,linear:8:2' differs from the run's 'linear:2:4,tanh,linear:4:2'")]
    public async Task A_worker_of_another_protocol_version_or_model_is_refused_with_the_reason_logged(int version, string? layers, string reason)
    {
        StartCoordinator(1, 1, Never, Never);
        var worker = await JoinAsync("w1");

        worker.Register(Node, version, layers);

        var refused = worker.Probe.ExpectMsg<WorkerRefused>();
        Assert.Equal(("w1", reason), (refused.WorkerId, refused.Reason));
        var logged = await Logged($"Refused worker \"w1\" from \"{TestNodes.AddressOf(worker.Node)}\"");
        Assert.Equal(LogEventLevel.Warning, logged.Level);
        Assert.EndsWith(reason + "\"", logged.RenderMessage());
        // Refused, not admitted: its data plane is turned away too.
        Assert.Equal("worker 'w1' is not registered with the coordinator",
            new WorkerStream(_training.Listener!, "w1", token: null).End.NextFrame().Text());
    }

    [Fact]
    public async Task A_registration_from_a_node_outside_the_cluster_is_ignored_until_that_node_has_joined()
    {
        StartCoordinator(1, 1, Never, Never);
        var stranger = FakeWorker.Outside(this, "w1");
        _workers.Add(stranger);

        stranger.Register(Node);

        await Logged($"Ignored the registration of worker \"w1\" from \"{TestNodes.AddressOf(stranger.Node)}\": not an up member of this cluster");
        stranger.Probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
        await stranger.JoinClusterAsync(Node);
        stranger.Register(Node);
        Assert.Equal("w1", stranger.Probe.ExpectMsg<WorkerAccepted>(TimeSpan.FromSeconds(10)).WorkerId);
    }

    [Fact]
    public async Task A_registration_from_a_node_still_joining_is_ignored_until_that_node_is_up()
    {
        // A member that stops answering holds back the cluster's convergence, so a node that joins meanwhile is not moved
        // to Up until that member is downed. The split-brain resolver counts only up members: taken into the run, such a
        // worker would not keep a standby company if this coordinator died.
        StartCoordinator(1, 1, Never, Never);
        var silent = await JoinAsync("w0");
        var silentAddress = TestNodes.AddressOf(silent.Node);
        await silent.Node.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        var joining = FakeWorker.Outside(this, "w1");
        _workers.Add(joining);
        var joiningAddress = TestNodes.AddressOf(joining.Node);
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        Akka.Cluster.Cluster.Get(joining.Node).Join(Node);
        await AwaitConditionAsync(() => Task.FromResult(cluster.State.Members.Any(m => m.Address == joiningAddress)), TimeSpan.FromSeconds(10));
        Assert.Equal(Akka.Cluster.MemberStatus.Joining, cluster.State.Members.Single(m => m.Address == joiningAddress).Status);

        joining.Register(Node);

        await Logged($"Ignored the registration of worker \"w1\" from \"{joiningAddress}\": not an up member of this cluster");
        joining.Probe.ExpectNoMsg(TimeSpan.FromSeconds(1));
        cluster.Down(silentAddress);
        await TestNodes.UpAsSeenByAsync(joining.Node, Sys);
        joining.Register(Node);
        Assert.Equal("w1", joining.Probe.ExpectMsg<WorkerAccepted>(TimeSpan.FromSeconds(10)).WorkerId);
    }

    [Fact]
    public async Task A_shard_whose_worker_misses_the_deadline_is_computed_again_by_another_worker()
    {
        StartCoordinator(2, 1, TimeSpan.FromSeconds(2), Never);
        var fast = await EnlistAsync("w1");
        var silent = await EnlistAsync("w2");
        var first = fast.NextShard();
        var missed = silent.NextShard();
        Assert.Equal((0L, 0, 0), (first.Step, first.ShardId, missed.Attempt));
        Assert.Equal(1, missed.ShardId);

        fast.Stream!.Answer(first, _training.Result(0.1f));
        var again = fast.NextShard();
        // Answered at once: the second attempt has a deadline of its own, which a slow machine must not miss too.
        fast.Stream.Answer(again, _training.Result(0.1f));

        Assert.Equal((missed.Step, missed.Attempt, missed.ShardId, missed.RowOffset), (again.Step, again.Attempt, again.ShardId, again.RowOffset));
        Assert.Equal(missed.Indices, again.Indices);
        await Logged("Step 1 shard 1 on worker \"w2\": \"no result within 2 s\"");
        await Logged("Step 1 shard 1: reassigned from worker \"w2\" to \"w1\"");
        var report = await RunEnded();
        Assert.Null(report.Result.Failure);
        Assert.Equal([0L], report.AppliedSteps);
        Assert.Equal(1, report.ShardsReassigned);
        Assert.Equal(2, report.ShardsPerWorker["w1"]);
        Assert.False(report.ShardsPerWorker.ContainsKey("w2"));
    }

    [Theory]
    [InlineData(false, "its node left the cluster")]
    [InlineData(true, "its node is unreachable")]
    public async Task A_worker_whose_node_leaves_or_becomes_unreachable_has_its_shard_computed_by_another(bool crash, string reason)
    {
        StartCoordinator(2, 1, Never, Never);
        var staying = await EnlistAsync("w1");
        var lost = await EnlistAsync("w2");
        var kept = staying.NextShard();
        var orphan = lost.NextShard();
        staying.Stream!.Answer(kept, _training.Result(0.1f));

        var lostNode = TestNodes.AddressOf(lost.Node);
        if (crash) _ = lost.Node.Terminate();
        else Akka.Cluster.Cluster.Get(Sys).Leave(lostNode);
        var again = staying.NextShard();

        Assert.Equal((orphan.Step, orphan.ShardId), (again.Step, again.ShardId));
        await Logged($"Lost worker \"w2\": \"{reason}\"");
        await Logged($"Step 1 shard 1 on worker \"w2\": \"its worker was lost ({reason})\"");
        if (crash)
        {
            // Nothing queues for an unreachable worker: the parameter server closed its stream at once (one that left still drains it).
            Assert.Equal(CloseCause.PeerClosed, lost.Stream!.End.WaitClosed().Cause);
            await Logged($"Data plane: closed the stream of worker \"w2\", lost by the coordinator: \"{reason}\"");
        }
        staying.Stream.Answer(again, _training.Result(0.1f));
        var report = await RunEnded();
        Assert.Equal([0L], report.AppliedSteps);
        Assert.Equal(["w2"], report.WorkersLost);
        Assert.Equal(1, report.ShardsReassigned);
    }

    [Fact]
    public async Task A_worker_joining_mid_run_is_admitted_gets_the_current_weights_and_then_shards()
    {
        StartCoordinator(1, 3, Never, Never);
        var first = await EnlistAsync("w1");
        var step0 = first.NextShard();
        var step1 = first.NextShard();
        Assert.Equal((0L, 4, 1L, 4), (step0.Step, step0.Indices.Length, step1.Step, step1.Indices.Length));

        var late = await JoinAsync("w2");
        var joinedWith = late.Enlist(Node, _training.Listener!);
        Assert.Equal(0, joinedWith.Header.WeightsVersion);
        Assert.Equal(_training.InitialWeights, joinedWith.Payload);
        await Logged("Worker \"w2\" joined the run at step 1");

        first.Stream!.Answer(step0, _training.Result(0.1f));
        var current = first.Stream.NextWeights();
        Assert.Equal(current.Payload, late.Stream!.NextWeights().Payload);
        first.Stream.Answer(step1, _training.Result(0.1f));
        var shared = new[] { first.NextShard(), late.NextShard() };
        Assert.All(shared, s => Assert.Equal((2L, 2), (s.Step, s.Indices.Length)));
        // As a real worker, each answers step 2 with its weights in: the plan came ahead of them, and the late worker's
        // answer, on a stream of its own, could otherwise reach the parameter server before step 1 was applied (failed once
        // in CI: the result was dropped and the run never ended).
        Assert.Equal(2, first.Stream.NextWeights().Header.WeightsVersion);
        Assert.Equal(2, late.Stream.NextWeights().Header.WeightsVersion);
        first.Stream.Answer(shared[0], _training.Result(0.1f));
        late.Stream.Answer(shared[1], _training.Result(0.1f));

        var report = await RunEnded();
        Assert.Null(report.Result.Failure);
        Assert.Equal([0L, 1L, 2L], report.AppliedSteps);
        Assert.Equal("w1: 3, w2: 1", string.Join(", ", report.ShardsPerWorker.OrderBy(w => w.Key).Select(w => $"{w.Key}: {w.Value}")));
    }

    [Fact]
    public async Task The_step_sent_ahead_applied_while_the_test_set_is_scored_is_not_lost()
    {
        StartCoordinator(1, 2, Never, Never);
        var only = await EnlistAsync("w1");
        var step0 = only.NextShard();
        var step1 = only.NextShard();

        // Back to back: the parameter server applies step 1 before the coordinator's request to score the test set after step 0.
        only.Stream!.Answer(step0, _training.Result(0.1f));
        only.Stream.Answer(step1, _training.Result(0.1f));

        var report = await RunEnded();
        Assert.Null(report.Result.Failure);
        Assert.Equal([0L, 1L], report.AppliedSteps);
        Assert.Equal(2, report.Result.Epochs.Count);
    }

    [Fact]
    public async Task A_stop_while_a_step_is_sent_ahead_ends_the_run_once_that_step_is_applied_and_counted()
    {
        var coordinator = StartCoordinator(1, 10, Never, Never);
        var only = await EnlistAsync("w1");
        var step0 = only.NextShard();
        var step1 = only.NextShard();

        coordinator.Tell(StopTraining.Instance);
        // The parameter server applies step 1 as soon as step 0 is in, whatever the coordinator decides meanwhile.
        only.Stream!.Answer(step0, _training.Result(0.1f));
        only.Stream.Answer(step1, _training.Result(0.1f));

        var report = await RunEnded();
        Assert.True(report.Result.Interrupted);
        Assert.Null(report.Result.Failure);
        Assert.Equal([0L, 1L], report.AppliedSteps);
        Assert.Equal(2, report.Result.Steps);
        // The weights the run ends with, which --save writes, are those of the last step it counts.
        Assert.Equal([1L, 2L], [only.Stream.NextWeights().Header.WeightsVersion, only.Stream.NextWeights().Header.WeightsVersion]);
        only.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_result_applied_after_the_last_worker_was_lost_counts_once_a_worker_is_back()
    {
        StartCoordinator(1, 1, Never, RunTimeout);
        var leaving = await EnlistAsync("w1");
        var shard = leaving.NextShard();
        Akka.Cluster.Cluster.Get(Sys).Leave(TestNodes.AddressOf(leaving.Node));
        await Logged("Step 1: no worker is ready; waiting up to 10 s for one");

        // Its result was already on the way: the parameter server applies it while the coordinator waits for a worker.
        leaving.Stream!.Answer(shard, _training.Result(0.1f));
        Assert.Equal(1, leaving.Stream.NextWeights().Header.WeightsVersion);
        var back = await JoinAsync("w2");
        Assert.Equal(1, back.Enlist(Node, _training.Listener!).Header.WeightsVersion);

        var report = await RunEnded();
        Assert.Null(report.Result.Failure);
        Assert.Equal([0L], report.AppliedSteps);
        Assert.Equal(["w1"], report.WorkersLost);
    }

    [Fact]
    public async Task With_no_worker_left_the_run_ends_after_the_worker_timeout_with_the_reason()
    {
        StartCoordinator(1, 1, Never, TimeSpan.FromSeconds(2));
        var only = await EnlistAsync("w1");
        only.NextShard();

        var clock = Stopwatch.StartNew();
        only.Stream!.Dispose();
        var report = await RunEnded();

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
        Assert.Equal("only 0 of 1 workers were ready within 2 s", report.Result.Failure);
        Assert.Equal(FailureKind.Cluster, report.Result.FailureKind);
        Assert.Empty(report.AppliedSteps);
        Assert.Equal(["w1"], report.WorkersLost);
        await Logged("Training stopped: \"only 0 of 1 workers were ready within 2 s\"");
    }

    [Fact]
    public async Task A_new_run_with_fewer_workers_than_it_expects_ends_after_the_worker_timeout()
    {
        StartCoordinator(2, 1, Never, TimeSpan.FromSeconds(2));
        var only = await EnlistAsync("w1");

        var report = await RunEnded();

        Assert.Equal("only 1 of 2 workers were ready within 2 s", report.Result.Failure);
        Assert.Equal(FailureKind.Cluster, report.Result.FailureKind);
        Assert.Empty(report.AppliedSteps);
        only.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}
