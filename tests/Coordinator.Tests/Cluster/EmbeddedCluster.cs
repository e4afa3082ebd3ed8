using Akka.Configuration;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Training;
using Serilog;
using Serilog.Core;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// `train` on the embedded cluster inside the test process, with every Akka message also sent
/// through its serializer: the run <see cref="TrainCommand"/> makes, with Akka settings of the test's.
/// </summary>
internal static class EmbeddedCluster
{
    /// <summary>
    /// The default of these runs. Not for runs that lose a node: Akka's own ReachabilityChanged fails
    /// that round trip (Newtonsoft cannot rebuild its immutable dictionary), and the event is dropped
    /// before the split brain resolver and the cluster's read view see it.
    /// </summary>
    public static readonly Config SerializeMessages = ConfigurationFactory.ParseString("akka.actor.serialize-messages = on");

    public static DistributedRunReport Train(TrainOptions options, ITrainingObserver? observer = null, ILogger? log = null,
        CancellationToken stop = default, Config? akka = null, IGradientObserver? gradients = null)
    {
        using var run = TrainingRun.Prepare(options, Logger.None);
        return run.Execute(observer ?? new Unobserved(), log ?? Logger.None, stop, gradients, akka ?? SerializeMessages).Cluster!;
    }

    private sealed class Unobserved : ITrainingObserver
    {
        public void OnStep(StepReport report) { }

        public void OnEpoch(EpochReport report) { }
    }
}
