using DistTrainer.Coordinator.Cli;
using DistTrainer.Core.Tests;
using DistTrainer.Worker.Actors;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// The run the fault tests of <see cref="FaultIndependenceTests"/> are compared with, trained once for all of them: two
/// workers, one logical shard each, nothing disturbed.
/// </summary>
public sealed class UndisturbedRun : IDisposable
{
    public const int Steps = 40;
    private readonly TempDirectory _directory = new();
    private readonly TempDirectory _data = new();

    public UndisturbedRun()
    {
        SyntheticDataset.Write(_data, count: 125, rows: 4, columns: 4, classes: 4);
        var report = EmbeddedCluster.Train(TrainArguments.Parse(
            [.. FaultIndependenceTests.Run(Data, FaultIndependenceTests.WithBatchNorm, Steps), "--workers", "2", "--save", Checkpoint]));
        Assert.Equal([(long)Steps, Steps], report.ShardsPerWorker.Values);
    }

    public string Data => _data.Path;
    public string Checkpoint => _directory.File("undisturbed.safetensors");

    /// <summary>A worker node of the fault tests, started by a test beside the run's own, reading the run's data.</summary>
    public WorkerSettings Worker(string id) => new(id, null, Data, "cpu", 1, TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        _directory.Dispose();
        _data.Dispose();
    }
}
