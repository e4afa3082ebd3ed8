using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Standby;
using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// `coordinator` started as a standby (<see cref="StandbyRule"/>): it stands by, receiving each periodic checkpoint of the
/// active coordinator into its state file (<see cref="StandbyState.PathFor"/> of --save), and when it takes over it
/// trains as the active coordinator did, resumed from the newest of that file and the --save file (a disk shared with
/// the active one may hold a newer one; the steps after it are computed again on the same batches), and joined to the
/// cluster through its standby node, where the workers are. It exits 0 without training when the active coordinator ended the run, and 4 (the cluster could not
/// train) when its own node was removed from the cluster before it could take over.
/// </summary>
public static class StandbyCommand
{
    public static int Run(TrainOptions options, TextWriter output, ILogger log)
    {
        string? statePath = options.Save is { } saved ? StandbyState.PathFor(saved) : null;
        var standby = StandbyNode.Start(options.Cluster.Node(embedded: false), statePath, log);
        try
        {
            output.WriteLine($"standby: node {standby.Address} standing by for the active coordinator");
            StandbyOutcome outcome;
            using (var stop = new StopSignal(log, "Received {Signal}: the standby leaves the cluster"))
            {
                outcome = standby.WaitForTakeover(stop.Requested);
                if (outcome == StandbyOutcome.Stood && stop.Requested.IsCompleted) return TrainCommand.Interrupted;
            }
            if (outcome == StandbyOutcome.Removed)
            {
                log.Error("Standby coordinator {Node}: removed from the cluster before it could take over (nodes were lost too close " +
                          "together for the split-brain resolver to keep a side); the run cannot go on from here", standby.Address);
                return TrainCommand.ClusterFailed;
            }
            if (outcome == StandbyOutcome.Stood)
            {
                output.WriteLine("standby: the active coordinator ended the run");
                return 0;
            }
            string? resume = options.Resume;
            if (ResumePoint.Newest([options.Save, statePath], log) is { } newest)
            {
                log.Information("Standby coordinator {Node}: resuming from {Path}, the newest state it has (step {Step})", standby.Address,
                    newest.Path, newest.Step);
                resume = newest.Path;
            }
            output.WriteLine($"standby: taking over, {(resume is null ? "from step 0" : $"resuming from {resume}")}");
            var cluster = options.Cluster with { SeedNodes = [standby.Address] };
            return TrainCommand.Run(options with { Resume = resume, Cluster = cluster }, output, log);
        }
        finally
        {
            standby.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
