using DistTrainer.Cluster.Hosting;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Standby;
using Serilog;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// `coordinator`: the coordinator of a real cluster, active or standby by its address among the seed nodes
/// (<see cref="StandbyRule"/>). The first coordinator asks the other coordinators' addresses before it founds the cluster
/// (<see cref="ActiveCoordinatorProbe"/>): one restarted after a standby took the run over stands by for that run. One restarted
/// while the standby was still taking over founds the cluster, keeps asking until its first step, and stands by once the
/// standby answers. One that hands the run to a standby (a key range's server lost) stands by for it too.
/// </summary>
public static class CoordinateCommand
{
    public static int Run(TrainOptions options, TextWriter output, ILogger log)
    {
        var node = options.Cluster.Node(embedded: false);
        var config = ClusterConfigBuilder.Build(node);
        if (StandbyRule.IsStandby(config)) return StandbyCommand.Run(options, output, log);
        var others = StandbyRule.OtherCoordinators(config);
        if (others.Count > 0)
        {
            if (ActiveCoordinatorProbe.Find(node, others, StandbySettings.Create(config).ActiveProbeTimeout, log) is { } active)
            {
                log.Information("Coordinator: a coordinator trains the run at {Active} (a standby took it over); standing by for it " +
                                "instead of founding a second cluster", active);
                output.WriteLine($"coordinator: a coordinator already trains at {active}; standing by for it");
                return StandbyCommand.StandByFor(options, others, output, log);
            }
            // No other coordinator trains: found the cluster at once. Through the others as seed nodes it would wait for
            // their answer again, and join a standby that took over meanwhile as a second active coordinator. A standby still
            // taking the run over answers later: the coordinator keeps asking until its first step, and stands down for it.
            var founding = options with
            {
                Cluster = options.Cluster with { SeedNodes = [config.GetStringList("akka.cluster.seed-nodes")[0]], OtherCoordinators = others },
            };
            int code = TrainCommand.Run(founding, output, log, out var handedTo, ownsProcess: true);
            return code == TrainCommand.Superseded ? StandbyCommand.StandByFor(options, [.. handedTo, .. others.Except(handedTo)], output, log) : code;
        }
        int ended = TrainCommand.Run(options, output, log, out var standbys, ownsProcess: true);
        return ended == TrainCommand.Superseded ? StandbyCommand.StandByFor(options, standbys, output, log) : ended;
    }
}
