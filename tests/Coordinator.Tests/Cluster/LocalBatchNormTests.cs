using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Data;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// `--batchnorm-mode local` end to end: each worker normalises with its own shard, and the parameter
/// server folds the shards' statistics, merged by sample count, into the running ones. Batch norm is
/// the model's first layer, so its inputs are the dataset's own features and the test computes every
/// shard's statistics from the rows it was given.
/// </summary>
public class LocalBatchNormTests
{
    private const int Features = 16;
    private const double Momentum = 0.1;

    [Theory]
    [InlineData(2, 128, new[] { 64, 64 })]
    [InlineData(2, 129, new[] { 65, 64 })]
    [InlineData(3, 130, new[] { 44, 43, 43 })]
    public void Running_statistics_after_one_step_fold_in_the_merged_shard_statistics(int workers, int batch, int[] shardRows)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 260, rows: 4, columns: 4, classes: 4);
        string saved = dir.File("bn.safetensors");

        var report = EmbeddedCluster.Train(TrainArguments.Parse(
        [
            "--data-dir", data.Path, "--layers", $"batchnorm:{Features},linear:{Features}:4", "--optimizer", "sgd",
            "--batch-size", batch.ToString(), "--steps", "1", "--no-shuffle", "--threads", "1", "--device", "cpu",
            "--workers", workers.ToString(), "--batchnorm-mode", "local", "--shard-sizing", "equal", "--save", saved,
        ]));

        Assert.Equal([0L], report.AppliedSteps);
        var shards = Shards(DatasetLoader.Load(null, data.Path).Train, shardRows);
        var (mean, variance) = Merge(shards);
        var (naiveMean, naiveVariance) = Average(shards);
        Assert.Contains(Enumerable.Range(0, Features), c => Math.Abs(naiveVariance[c] - variance[c]) > 1e-3 * variance[c]);

        var tensors = SafeTensorsFile.Read(saved).Tensors;
        var runningMean = tensors["0.running_mean"].ToFloats();
        var runningVariance = tensors["0.running_var"].ToFloats();
        Assert.Equal(1, tensors["0.num_batches_tracked"].ToInt64());
        int n = shardRows.Sum();
        for (int c = 0; c < Features; c++)
        {
            double expectedMean = (1 - Momentum) * 0 + Momentum * mean[c];
            double expectedVariance = (1 - Momentum) * 1 + Momentum * variance[c] * n / (n - 1);
            Assert.True(Math.Abs(runningMean[c] - expectedMean) <= 1e-6 * Math.Max(1, Math.Abs(expectedMean)),
                $"running_mean[{c}] is {runningMean[c]:G9}, expected {expectedMean:G9} (a plain average of the shards gives {Momentum * naiveMean[c]:G9})");
            Assert.True(Math.Abs(runningVariance[c] - expectedVariance) <= 1e-6 * Math.Max(1, Math.Abs(expectedVariance)),
                $"running_var[{c}] is {runningVariance[c]:G9}, expected {expectedVariance:G9}");
        }
    }

    /// <summary>Rows, mean and biased variance of each feature over each shard: contiguous rows from the start (file order, first batch).</summary>
    private static List<(int Rows, double[] Mean, double[] Variance)> Shards(Dataset train, int[] shardRows)
    {
        var shards = new List<(int, double[], double[])>();
        int start = 0;
        foreach (int rows in shardRows)
        {
            var mean = new double[Features];
            var variance = new double[Features];
            for (int c = 0; c < Features; c++)
            {
                for (int r = start; r < start + rows; r++) mean[c] += train.Row(r)[c];
                mean[c] /= rows;
                for (int r = start; r < start + rows; r++) variance[c] += Math.Pow(train.Row(r)[c] - mean[c], 2);
                variance[c] /= rows;
            }
            shards.Add((rows, mean, variance));
            start += rows;
        }
        return shards;
    }

    /// <summary>The parallel-variance merge: mean weighted by rows; variance within shards plus the shards' spread around the merged mean.</summary>
    private static (double[] Mean, double[] Variance) Merge(List<(int Rows, double[] Mean, double[] Variance)> shards)
    {
        double n = shards.Sum(s => s.Rows);
        var mean = new double[Features];
        var variance = new double[Features];
        for (int c = 0; c < Features; c++)
        {
            mean[c] = shards.Sum(s => s.Rows * s.Mean[c]) / n;
            variance[c] = shards.Sum(s => s.Rows * (s.Variance[c] + Math.Pow(s.Mean[c] - mean[c], 2))) / n;
        }
        return (mean, variance);
    }

    /// <summary>What a merge that ignores the spread between shards would give: the data is drawn so that it visibly differs.</summary>
    private static (double[] Mean, double[] Variance) Average(List<(int Rows, double[] Mean, double[] Variance)> shards)
    {
        var mean = new double[Features];
        var variance = new double[Features];
        for (int c = 0; c < Features; c++)
        {
            mean[c] = shards.Average(s => s.Mean[c]);
            variance[c] = shards.Average(s => s.Variance[c]);
        }
        return (mean, variance);
    }
}
