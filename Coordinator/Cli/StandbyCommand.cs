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
/// cluster through its standby node, where the workers are. A standby whose node is removed before it could take over
/// stands by again on a fresh node (<see cref="ReturningStandby"/>), and one that took over and then handed the run to
/// another standby (a key range's server lost) stands by for it. It exits 0 without training when the active
/// coordinator ended the run, and 4 (the cluster could not train) when a node of it could not join the cluster.
/// </summary>
public static class StandbyCommand
{
    public static int Run(TrainOptions options, TextWriter output, ILogger log)
    {
        int code = StandByOnce(options, output, log, out var handedTo);
        return code == TrainCommand.Superseded ? StandByFor(options, handedTo, output, log) : code;
    }

    /// <summary>
    /// Stands by for the run that the coordinators at <paramref name="coordinators"/> train (this process's own run was
    /// taken over or handed over), joining the cluster through them; each handover after a takeover starts it again.
    /// </summary>
    public static int StandByFor(TrainOptions options, IReadOnlyList<string> coordinators, TextWriter output, ILogger log)
    {
        while (true)
        {
            if (coordinators.Count == 0)
            {
                log.Error("Coordinator: the run was handed to a standby coordinator that is no longer in the cluster; nothing to stand by for");
                return TrainCommand.ClusterFailed;
            }
            int code = StandByOnce(options with { Cluster = options.Cluster with { SeedNodes = coordinators } }, output, log, out var handedTo);
            if (code != TrainCommand.Superseded) return code;
            coordinators = handedTo;
        }
    }

    /// <summary>Stands by until the run ends or this standby takes it over and trains it to its end or hands it on.</summary>
    private static int StandByOnce(TrainOptions options, TextWriter output, ILogger log, out IReadOnlyList<string> handedTo)
    {
        handedTo = [];
        string? statePath = options.Save is { } saved ? StandbyState.PathFor(saved) : null;
        StandbyNode? standby = null;
        try
        {
            StandbyOutcome outcome;
            using (var stop = new StopSignal(log, "Received {Signal}: the standby leaves the cluster"))
            {
                (standby, outcome) = ReturningStandby.Run(options.Cluster.Node(embedded: false), statePath, log, stop.Requested,
                    node => output.WriteLine($"standby: node {node.Address} standing by for the active coordinator"));
                if (outcome == StandbyOutcome.Stood && stop.Requested.IsCompleted) return TrainCommand.Interrupted;
            }
            if (standby is null) return TrainCommand.ClusterFailed;
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
            return TrainCommand.Run(options with { Resume = resume, Cluster = cluster }, output, log, out handedTo);
        }
        finally
        {
            standby?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
