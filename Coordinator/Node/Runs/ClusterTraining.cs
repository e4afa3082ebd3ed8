using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Metrics;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Losses;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.KeyRanges;
using DistTrainer.Worker.Actors;
using Serilog;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// `train` on a cluster: starts the coordinator node and, without seed nodes, the embedded
/// workers on loopback; runs until the coordinator reports the end; writes the final checkpoint
/// through the parameter server and the final weights into the run's model; shuts every node down. The embedded
/// workers' metrics go on the run's own endpoint, each labelled with its worker id.
/// </summary>
public static class ClusterTraining
{
    /// <summary>--data-plane tcp: no listener takes in-process connections, so every worker's stream goes through a socket.</summary>
    private static readonly Akka.Configuration.Config OverTcp = Akka.Configuration.ConfigurationFactory.ParseString("disttrainer.data-plane.in-process = off");

    /// <summary>
    /// The run's model gets the final weights, for whoever looks at it after the run (the lab). A parameter
    /// server that cannot answer leaves the model as it was: the run itself is over and reported.
    /// </summary>
    private static void ExportFinalModel(CoordinatorNode node, ILogger log)
    {
        try
        {
            node.ExportModelAsync(node.Settings.ExportTimeout).GetAwaiter().GetResult();
        }
        catch (Akka.Actor.AskTimeoutException e)
        {
            log.Warning("The parameter server did not hand over the final weights within {Timeout} s: {Reason}", node.Settings.ExportTimeout.TotalSeconds,
                e.Message);
        }
    }

    private static RunOutcome Ended(DistributedRunReport report, bool saved) => new(report.Result, report, saved);

    private static DistributedRunReport Combined(DistributedRunReport? earlier, DistributedRunReport later) =>
        earlier is null ? later : earlier.Then(later);

    /// <returns>How the run ended, what the cluster did, and whether the final --save checkpoint was written.</returns>
    public static RunOutcome Run(TrainingRun run, ITrainingObserver observer, IGradientObserver? gradients, ILogger log,
        CancellationToken stop, Akka.Configuration.Config? overrides = null)
    {
        var (options, runner, optimizer, train, test, loss, batchSize) =
            (run.Options, run.Runner, run.Optimizer, run.Train, run.Test, run.Loss, run.BatchSize);
        var cluster = options.Cluster;
        bool embedded = cluster.SeedNodes is null && options.Workers > 0;
        int expect = cluster.ExpectWorkers ?? (embedded ? options.Workers : 1);
        int logicalShards = LogicalShards.Of(options, expect, log);
        var checkpoints = run.Checkpoints is { } plan ? plan with { LogicalShards = logicalShards } : null;
        var model = runner.Model;
        ParameterRanges.Require(model, cluster.PsShards);
        bool rangesOnWorkers = cluster.PsPlacement == KeyRangePlacement.Workers;
        bool rangesOnPsNodes = cluster.PsPlacement == KeyRangePlacement.PsNodes;
        int rangeNodes = KeyRangeNodes.Of(cluster, expect);
        string bindHost = cluster.Hostname ?? Environment.GetEnvironmentVariable(ClusterConfigBuilder.HostnameVariable) ?? "127.0.0.1";
        string advertised = cluster.PublicHostname ?? Environment.GetEnvironmentVariable(ClusterConfigBuilder.PublicHostnameVariable) ?? bindHost;
        var job = new TrainingJob(model.Describe(), options.Loss, options.Dataset, options.DataDir, DatasetFingerprint.Of(train), options.Seed,
            cluster.SynchronisedBatchNorm, batchSize, advertised, 0, cluster.ShardDeadline.TotalSeconds, options.TrainSamples,
            cluster.WireDtype, cluster.SynchronisedBatchNorm ? logicalShards : 1);
        var settings = new CoordinatorSettings(job, train.Count, batchSize, options.Epochs, run.StepsToTrain, options.Shuffle,
            run.FirstStep, expect, cluster.Sizing, model.BatchNormLayers.Count > 0,
            rows => loss.Normalizer(rows, model.OutputWidth), cluster.ShardDeadline, cluster.WorkerTimeout,
            LogicalShards: logicalShards, PlacedRanges: rangesOnWorkers || rangesOnPsNodes ? cluster.PsShards : 0,
            RangeNodes: rangeNodes > 0 ? rangeNodes : null, RangesOnPsNodes: rangesOnPsNodes, OtherCoordinators: cluster.OtherCoordinators);
        var nodes = cluster.DataPlaneInMemory ? overrides : overrides is null ? OverTcp : OverTcp.WithFallback(overrides);
        var serverSettings = new ParameterServerSettings(checkpoints, gradients, run.Metrics, cluster.MaxShardNormRatio)
        {
            Shards = cluster.PsShards,
            RangesOnOtherNodes = rangesOnWorkers || rangesOnPsNodes,
        };
        int workerThreads = EmbeddedWorkerThreads.For(options.Threads, options.Workers, Environment.ProcessorCount);
        // An embedded worker gives up on registering when its coordinator would: a run that goes on waits for the expected
        // workers, and then once more for the ones it has (CoordinatorActor.WaitedOut).
        var embeddedRegistration = 2 * cluster.WorkerTimeout;
        // Only the embedded cluster's process runs both the workers' compute and the parameter server's step.
        using var warmUp = embedded ? StepPathWarmUp.Start(run, options.Workers, workerThreads, log) : null;
        DistributedRunReport? earlier = null;
        int rollbacks = 0;
        IReadOnlyList<string>? firstSeeds = null;
        IReadOnlyList<string> standbys = [];
        for (int life = 1; ; life++)
        {
            // A fresh node goes on from the step whose state the last one's parameter server left in the run's model and optimizer.
            long first = optimizer.StepCount;
            // It joins through its first node's seeds, or the standbys its last node told to wait for it, only if one of them is
            // still in a cluster, and otherwise founds one that the workers find through theirs: a coordinator that took a run
            // over joined through its standby node, which the cluster may have removed with it.
            var node = CoordinatorNode.Start(cluster.Node(embedded), bindHost, cluster.DataPlanePort ?? 0,
                settings with { FirstStep = first, Steps = run.PlannedSteps - first }, serverSettings, runner, test, optimizer, observer, log,
                nodes, foundUnlessJoined: firstSeeds is null ? null : [.. firstSeeds, .. standbys]);
            standbys = [];
            firstSeeds ??= node.ConfiguredSeedNodes;
            EmbeddedWorkers? workers = null, psNodes = null;
            try
            {
                if (embedded)
                    workers = EmbeddedWorkers.Start(options.Workers, node.SeedNode,
                        i => new WorkerSettings($"worker-{i + 1}", null, options.DataDir, options.Device, workerThreads, embeddedRegistration,
                            run.MetricsEndpoint is { } endpoint ? new WorkerMetrics(endpoint.Registry, $"worker-{i + 1}") : null),
                        log, nodes, cluster.Security.Tls);
                if (embedded && rangesOnPsNodes)
                    psNodes = EmbeddedWorkers.Start(rangeNodes, node.SeedNode,
                        i => new WorkerSettings($"ps-{i + 1}", null, options.DataDir, options.Device, 1, embeddedRegistration, RangesOnly: true),
                        log, nodes, cluster.Security.Tls);
                using var registration = stop.Register(() => node.Coordinator.Tell(StopTraining.Instance, Akka.Actor.ActorRefs.NoSender));
                DistributedRunReport report;
                try
                {
                    report = node.Completion.GetAwaiter().GetResult();
                }
                catch (CoordinatorStoppedException stopped) when (stopped is { StandbyKnown: true, SoFar.Result.FailureKind: FailureKind.RangeLost })
                {
                    // Leaving without a word that the run is over: the standby takes over, and the workers register with it.
                    log.Warning("A key range's server was lost: handing the run to the standby coordinator, which goes on from the newest " +
                                "checkpoint it was sent");
                    var handedTo = node.LeaveForStandby();
                    var handed = Combined(earlier, stopped.SoFar);
                    string failure = $"{handed.Result.Failure}; the run was handed to the standby coordinator " +
                                     $"({(handedTo.Count == 0 ? "no longer in the cluster" : string.Join(", ", handedTo))}), which trains on from the newest checkpoint it was sent";
                    return Ended(handed with { Result = handed.Result with { Failure = failure, FailureKind = FailureKind.Superseded }, SupersededBy = handedTo },
                        saved: false);
                }
                catch (CoordinatorStoppedException stopped) when (!embedded && !stopped.StandbyKnown && !stop.IsCancellationRequested)
                {
                    if (node.StateLeftAtStop() is not { } step) throw;
                    // With key ranges on other nodes the state left can be older than the last step applied: the last one gathered.
                    var sofar = stopped.SoFar.CountingAppliedBelow(step, first).RolledBackTo(step);
                    int unreported = sofar.AppliedSteps.Count - stopped.SoFar.AppliedSteps.Count;
                    if (unreported > 0)
                        log.Information("The {Count} step(s) before step {Step} were applied as the node went down, after the coordinator's " +
                                        "last report: counted as applied once; their loss is not in the curves", unreported, step);
                    earlier = Combined(earlier, sofar);
                    log.Warning("Coordinator node {Node} was removed from the cluster at step {Step} with no standby coordinator to take over " +
                                "(cut off from its workers, or paused): founding a fresh node (life {Life}) that trains on from this step once " +
                                "workers register again (--worker-timeout {Seconds:F0} s)", node.SeedNode, step, life + 1,
                        cluster.WorkerTimeout.TotalSeconds);
                    continue;
                }
                // A run asked to stop (Ctrl-C, SIGTERM) as it lost a range ends there: its last periodic checkpoint stands.
                if (report.Result is { FailureKind: FailureKind.RangeLost, Failure: { } lost } && rollbacks < node.Settings.PsRangeRollbacks &&
                    !stop.IsCancellationRequested)
                {
                    (var left, standbys) = node.LeaveForRollback();
                    if (left is not { } rollbackTo)
                        return Ended(Combined(earlier, report), saved: false);
                    earlier = Combined(earlier, report.RolledBackTo(rollbackTo));
                    rollbacks++;
                    log.Warning("Rolling back to step {Step}, the last state gathered from every key range ({Reason}): a fresh coordinator node " +
                                "(life {Life}) trains on from there once workers register again; rollback {Rollback} of at most {Rollbacks}",
                        rollbackTo, lost, life + 1, rollbacks, node.Settings.PsRangeRollbacks);
                    continue;
                }
                report = Combined(earlier, report);
                string? save = TrainingRun.WritesFinalCheckpoint(report.Result, report.AppliedSteps.Count > 0) ? options.Save : null;
                if (save is not null)
                {
                    var saved = node.SaveAsync(save, node.Settings.SaveTimeout).GetAwaiter().GetResult();
                    if (saved.RunFailed)
                    {
                        // The last step was applied while a periodic checkpoint was being written, and that write failed: the
                        // run ends with its failure, as it does when the failure comes a step earlier, and --save keeps it.
                        log.Error("Training stopped: {Reason}", saved.Error);
                        report = report with { Result = report.Result with { Failure = saved.Error, FailureKind = FailureKind.Checkpoint } };
                        save = null;
                    }
                    else if (saved.Error is not null) throw new IOException($"--save {save}: {saved.Error}");
                }
                // A failed parameter server has stopped, and its state is not to be trusted.
                if (report.Result.FailureKind != FailureKind.ParameterServer) ExportFinalModel(node, log);
                log.Information(
                    "Run over: {Steps} steps applied, {Reassigned} shards reassigned, {Restarts} steps planned again, dropped {Duplicates} duplicate, {Late} late, {Rejected} rejected, {Unassigned} unassigned results; workers lost: {Lost}; quarantined: {Quarantined}",
                    report.AppliedSteps.Count, report.ShardsReassigned, report.StepRestarts, report.Dropped.Duplicates, report.Dropped.Late,
                    report.Dropped.Rejected, report.Dropped.Unassigned, report.WorkersLost, report.WorkersQuarantined);
                foreach (var traffic in report.NodeBytesPerStep ?? [])
                    log.Information("Data plane per step through node {Node} (the coordinator's: {Master}): {SentMB:F3} MB out, {ReceivedMB:F3} MB in",
                        traffic.Node, traffic.Master, traffic.BytesSent / 1e6, traffic.BytesReceived / 1e6);
                run.BeforeNodesStop?.Invoke();
                return Ended(report, saved: save is not null);
            }
            finally
            {
                node.DisposeAsync().AsTask().GetAwaiter().GetResult();
                workers?.DisposeAsync().AsTask().GetAwaiter().GetResult();
                psNodes?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
    }
}
