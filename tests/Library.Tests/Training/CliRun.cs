using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core.Tests;
using DistTrainer.Data;
using DistTrainer.Nn;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Library.Tests.Training;

/// <summary>
/// One small run as `train --workers 0` takes it on a synthetic IDX set, and the library's model and loader that
/// the same run means: seed 5, batch 32 shuffled, Adam at lr 0.01, batch norm and dropout, two epochs.
/// </summary>
internal sealed class CliRun : IDisposable
{
    private readonly TempDirectory _directory = new();

    public CliRun()
    {
        SyntheticDataset.Write(_directory, count: 150, rows: 4, columns: 4, classes: 4);
        Train = Datasets.FashionMnist(_directory.Path).Train;
    }

    public const int Epochs = 2;

    public Core.Data.Dataset Train { get; }

    public string[] Arguments =>
    [
        "--data-dir", _directory.Path, "--layers", "linear:16:12,batchnorm:12,relu,dropout:0.25,linear:12:4", "--optimizer", "adam",
        "--lr", "0.01", "--batch-size", "32", "--epochs", $"{Epochs}", "--seed", "5", "--device", "cpu", "--threads", "1", "--workers", "0",
    ];

    public TrainOptions Options => TrainArguments.Parse(Arguments);

    public static ModelOptions ModelOptions => new() { Seed = 5, Device = "cpu", Threads = 1 };

    public static Sequential Model() =>
        new(ModelOptions, new Linear(16, 12), new BatchNorm1d(12), new ReLU(), new Dropout(0.25), new Linear(12, 4));

    public DataLoader Loader() => new(Train, batchSize: 32, shuffle: true, seed: 5);

    /// <summary>Runs `train` itself, in this process, saving the final model; returns that checkpoint's path.</summary>
    public string TrainWithTheCli()
    {
        string path = _directory.File("cli.safetensors");
        Assert.Equal(0, TrainCommand.Run(TrainArguments.Parse([.. Arguments, "--save", path]), TextWriter.Null, Logger.None));
        return path;
    }

    /// <summary>Every tensor of both models holds the same bits.</summary>
    public static void AssertSameBits(Sequential expected, Sequential actual)
    {
        var left = expected.StateDict();
        var right = actual.StateDict();
        Assert.Equal(left.Keys, right.Keys);
        foreach (var (name, tensor) in left)
        {
            var a = tensor.ToArray();
            var b = right[name].ToArray();
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(a[i]) == BitConverter.SingleToInt32Bits(b[i]), $"{name}[{i}]: {a[i]:R} and {b[i]:R}");
        }
    }

    public void Dispose() => _directory.Dispose();
}
