using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Tests;
using DistTrainer.Core.Training;
using DistTrainer.Worker.Actors;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Faults inside one embedded run of 3 workers: a fourth worker joins mid-run, then the actor system
/// of the third stops abruptly (it does not leave the cluster). The run still applies every step
/// exactly once, the lost worker's work goes to the others, and the joiner computes with the current
/// weights: the run ends on the weights one process reaches (no batch norm, so only the summation
/// order may differ). Messages are not sent through their serializers here (see
/// <see cref="EmbeddedCluster.SerializeMessages"/>): a lost node must reach the split brain resolver.
/// </summary>
[Collection(AloneCollection.Name)]
public class WorkerFaultTests
{
    private const int Steps = 600;

    /// <summary>A node whose actor system terminates without leaving the cluster first, as a crashed process would.</summary>
    internal static readonly Config Abrupt = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off");

    [Fact]
    public async Task A_worker_stopped_mid_run_costs_no_step_and_a_worker_joining_mid_run_trains_with_the_current_weights()
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        int port = Ports.Free();
        string seedNode = $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{port}";
        string[] run =
        [
            "--data-dir", data.Path, "--layers", "linear:16:12,tanh,linear:12:4", "--optimizer", "momentum", "--lr", "0.05",
            "--momentum", "0.9", "--batch-size", "25", "--steps", Steps.ToString(), "--seed", "5", "--threads", "1", "--device", "cpu",
        ];
        var sink = new CollectingSink();
        var log = sink.CreateLogger();
        Assert.Equal(0, TrainCommand.Run(TrainArguments.Parse([.. run, "--workers", "0", "--save", dir.File("single.safetensors")]),
            TextWriter.Null, Logger.None));

        await using var script = new FaultScript(seedNode, data.Path, sink, log);
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
            [.. run, "--workers", "2", "--expect-workers", "3", "--port", port.ToString(), "--save", dir.File("cluster.safetensors")]), script, log,
            akka: ConfigurationFactory.Empty));
        await sink.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Coordinator node"), TimeSpan.FromSeconds(30));
        await using var third = EmbeddedWorkers.Start(1, seedNode, _ => Settings("worker-3", data.Path), log, Abrupt);
        script.Victim = third.Systems[0];
        var report = await training.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Null(report.Result.Failure);
        Assert.True(script.StoppedAtStep is not null, "the run ended before the joining worker took part in it");
        Assert.Equal(Enumerable.Range(0, Steps).Select(i => (long)i), report.AppliedSteps);
        Assert.Equal(["worker-3"], report.WorkersLost);
        Assert.True(report.ShardsPerWorker.GetValueOrDefault("worker-4") > 0,
            $"the worker that joined mid-run computed no shard: {string.Join(", ", report.ShardsPerWorker)}");
        CheckpointAssert.Close(dir.File("single.safetensors"), dir.File("cluster.safetensors"), 1e-5, "after a join and a loss");
    }

    private static WorkerSettings Settings(string id, string dataDir) => new(id, null, dataDir, "cpu", 1, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Drives the faults from the coordinator's step reports: at step 10 a fourth worker starts, paced in as
    /// <see cref="JoinAtStep"/> does; 10 steps after the parameter server has sent it the weights, <see cref="Victim"/>
    /// stops. (The coordinator's own "joined the run" line is not written when the worker connects while the
    /// test set is scored at an epoch's end, every 5 steps here.)
    /// </summary>
    private sealed class FaultScript(string seedNode, string dataDir, CollectingSink sink, ILogger log) : ITrainingObserver, IAsyncDisposable
    {
        private readonly JoinAtStep _join = new(10, () => EmbeddedWorkers.Start(1, seedNode, _ => Settings("worker-4", dataDir), log),
            () => sink.Events.Any(JoinedTheRun));
        private long? _joinedAtStep;

        public ActorSystem? Victim { get; set; }
        public long? StoppedAtStep { get; private set; }

        public void OnStep(StepReport report)
        {
            _join.OnStep(report);
            _joinedAtStep ??= sink.Events.Any(JoinedTheRun) ? report.Step : null;
            if (_joinedAtStep is { } joined && StoppedAtStep is null && report.Step >= joined + 10 && Victim is { } victim)
            {
                StoppedAtStep = report.Step;
                _ = Task.Run(() => victim.Terminate());
            }
        }

        public void OnEpoch(EpochReport report) { }

        private static bool JoinedTheRun(LogEvent e) =>
            e.MessageTemplate.Text.StartsWith("Data plane: worker {Worker} connected") && e.Properties["Worker"].ToString() == "\"worker-4\"";

        public async ValueTask DisposeAsync()
        {
            if (_join.Joiner is { } joiner) await joiner.DisposeAsync();
        }
    }
}
