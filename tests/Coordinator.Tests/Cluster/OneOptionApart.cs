using Akka.Configuration;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Core.Tests;
using Serilog;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A small batch-norm job on two embedded workers, trained as given and again with one option more, each run saving its
/// checkpoint: for the options that must not change a run's arithmetic, whose tests then compare every float.
/// </summary>
internal sealed class OneOptionApart : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly TempDirectory _checkpoints = new();
    private readonly string[] _job;

    public OneOptionApart(int steps)
    {
        SyntheticDataset.Write(_data, count: 125, rows: 4, columns: 4, classes: 4);
        _job = [.. FaultIndependenceTests.Run(_data.Path, FaultIndependenceTests.WithBatchNorm, steps), "--workers", "2"];
    }

    /// <summary>
    /// Trains the job with <paramref name="options"/> added (and the nodes' configuration <paramref name="akka"/>, if any),
    /// saving to the checkpoint named <paramref name="name"/>.
    /// </summary>
    public DistributedRunReport Train(string name, string[] options, ILogger? log = null, Config? akka = null) =>
        EmbeddedCluster.Train(TrainArguments.Parse([.. _job, .. options, "--save", Checkpoint(name)]), log: log, akka: akka);

    public string Checkpoint(string name) => _checkpoints.File($"{name}.safetensors");

    public void Dispose()
    {
        _data.Dispose();
        _checkpoints.Dispose();
    }
}
