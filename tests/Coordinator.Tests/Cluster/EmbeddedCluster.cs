using Akka.Configuration;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Shared.Compute;
using DistTrainer.Shared.Data;
using DistTrainer.Shared.Nn;
using DistTrainer.Shared.Nn.Losses;
using DistTrainer.Shared.Optimizers;
using DistTrainer.Shared.Training;
using Serilog;
using Serilog.Core;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// `train` on the embedded cluster inside the test process, with every Akka message also sent
/// through its serializer. TrainCommand takes no Akka settings, so this builds what it builds for
/// a cluster run (data, model, optimizer) and hands them to ClusterTraining, as TrainCommand does.
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
        CancellationToken stop = default, Config? akka = null)
    {
        var loss = LossFunction.Parse(options.Loss);
        var (train, test) = DatasetLoader.Load(options.Dataset, options.DataDir);
        int batchSize = Math.Min(options.BatchSize ?? train.Count, train.Count);
        using var backend = BackendFactory.Create(options.Device, options.Threads, Logger.None);
        using var model = new Sequential(ModelSpec.Parse(options.Layers, options.Init), backend, batchSize);
        var optimizer = OptimizerFactory.Create(options.Optimizer, model.ParameterCount);
        model.Initialize(options.Seed);
        using var runner = new BatchRunner(model, loss);
        return ClusterTraining.Run(options, runner, optimizer, train, test, loss, batchSize, observer ?? new Unobserved(), log ?? Logger.None,
            stop, akka ?? SerializeMessages);
    }

    private sealed class Unobserved : ITrainingObserver
    {
        public void OnStep(StepReport report) { }

        public void OnEpoch(EpochReport report) { }
    }
}
