using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Standby;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training.Sharding;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>
/// The parameter server's periodic and requested checkpoints, with the test actor as its coordinator: written by a task
/// of their own (the step's report does not wait for them), retried, and a periodic one that fails for good reported; a
/// standby coordinator's stream receives each periodic one.
/// </summary>
public sealed class ParameterServerCheckpointTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly CheckpointRetry TwoRetries = new(2, TimeSpan.FromMilliseconds(20));

    private readonly CollectingSink _sink;
    private readonly XorTraining _training = new();
    private readonly TempDirectory _directory = new();

    public ParameterServerCheckpointTests() : this(new CollectingSink())
    {
    }

    private ParameterServerCheckpointTests(CollectingSink sink) : base(TestNodes.Coordinator(sink.CreateLogger())) => _sink = sink;

    protected override void AfterAll()
    {
        base.AfterAll();
        _training.Dispose();
        _directory.Dispose();
    }

    /// <summary>A parameter server checkpointing to <paramref name="path"/> every step, and one worker's stream into it.</summary>
    private (IActorRef Server, WorkerStream Worker) Start(string path)
    {
        var settings = new ParameterServerSettings(new CheckpointPlan(path, 1, PlannedSteps: 9)) { Retry = TwoRetries };
        var server = _training.StartParameterServer(Sys, _sink.CreateLogger(), settings);
        server.Tell(new AdmitWorker("w1", "token of w1"), TestActor);
        var worker = new WorkerStream(_training.Listener!, "w1", "token of w1");
        ExpectMsg<WorkerConnected>();
        worker.NextWeights();
        return (server, worker);
    }

    private void ApplyFirstStep(IActorRef server, WorkerStream worker)
    {
        server.Tell(new BeginStep(0, 0, [new Shard(0, 0, 4)], ["w1"]), TestActor);
        worker.SendResult(0, 0, 0, 4, _training.Result(0.1f));
        ExpectMsg<ShardArrived>();
        Assert.Equal(1, ExpectMsg<StepApplied>().Version);
    }

    /// <summary>A path that cannot be written: its directory is a file.</summary>
    private string Unwritable() => Path.Combine(_directory.Write("not-a-directory", [1]), "model.safetensors");

    [Fact]
    public void A_periodic_checkpoint_is_written_after_the_step_is_reported_with_the_runs_planned_total()
    {
        string path = _directory.File("model.safetensors");
        var (server, worker) = Start(path);
        using var _ = worker;

        ApplyFirstStep(server, worker);

        AwaitCondition(() => File.Exists(path), TimeSpan.FromSeconds(10));
        Assert.Equal("1", SafeTensorsFile.ReadMetadata(path)["step"]);
        Assert.Equal(9, ModelCheckpoint.ReadPlannedSteps(path));
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_standby_receives_the_periodic_checkpoint_byte_for_byte_and_is_not_taken_for_a_worker()
    {
        string path = _directory.File("model.safetensors"), state = _directory.File("standby/model.safetensors.standby");
        var (server, worker) = Start(path);
        using var _ = worker;
        server.Tell(new AdmitStandby("standby-1", "token of the standby"), TestActor);
        var settings = StandbySettings.Create(ClusterConfigBuilder.Embedded);
        using var standby = SnapshotReceiver.Connect(new StandbyAccepted("standby-1", "token of the standby", "127.0.0.1", _training.Listener!.Port),
            state, settings, new DataPlaneOptions(), _sink.CreateLogger(), _ => { });
        await _sink.WaitForAsync(e => e.RenderMessage().Contains("standby coordinator \"standby-1\" connected"), TimeSpan.FromSeconds(10));

        // No WorkerConnected for the standby comes before the step's own reports.
        ApplyFirstStep(server, worker);

        AwaitCondition(() => File.Exists(state) && File.Exists(path), TimeSpan.FromSeconds(10));
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(state));
        Assert.Equal(1, ModelCheckpoint.ReadStep(state));
        Assert.DoesNotContain(_sink.Events, e => e.Level >= LogEventLevel.Warning);
    }

    [Fact]
    public void A_periodic_checkpoint_that_cannot_be_written_is_retried_then_reported_to_the_coordinator()
    {
        string path = Unwritable();
        var (server, worker) = Start(path);
        using var _ = worker;

        ApplyFirstStep(server, worker);

        var failed = ExpectMsg<CheckpointFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal(1, failed.Step);
        Assert.StartsWith($"checkpoint {path} of step 1 could not be written (3 attempts): ", failed.Reason);
        Assert.Equal(2, _sink.Events.Count(e => e.Level == LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith("Checkpoint {Path} of step {Step}: attempt")));
        Assert.Contains(_sink.Events, e => e.Level == LogEventLevel.Error && e.RenderMessage().Contains("could not be written (3 attempts)"));
    }

    [Fact]
    public void A_requested_checkpoint_that_cannot_be_written_is_answered_with_its_reason_not_reported_as_a_run_failure()
    {
        string path = Unwritable();
        var (server, worker) = Start(_directory.File("periodic.safetensors"));
        using var _ = worker;

        server.Tell(new SaveCheckpoint(path), TestActor);

        var saved = ExpectMsg<CheckpointSaved>(TimeSpan.FromSeconds(10));
        Assert.Equal((path, 0L), (saved.Path, saved.Step));
        Assert.StartsWith($"checkpoint {path} of step 0 could not be written (3 attempts): ", saved.Error);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_requested_checkpoint_is_written_after_the_periodic_one_already_under_way_and_holds_the_same_step()
    {
        string periodic = _directory.File("periodic.safetensors");
        string final = _directory.File("final.safetensors");
        var (server, worker) = Start(periodic);
        using var _ = worker;

        ApplyFirstStep(server, worker);
        server.Tell(new SaveCheckpoint(final), TestActor);

        Assert.Equal(new CheckpointSaved(final, 1, null), ExpectMsg<CheckpointSaved>(TimeSpan.FromSeconds(10)));
        Assert.True(File.Exists(periodic));
        Assert.Equal(SafeTensorsFile.ReadMetadata(periodic)["checksum.xxh64"], SafeTensorsFile.ReadMetadata(final)["checksum.xxh64"]);
    }
}
