using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Coordinator.Tests.Cluster;
using DistTrainer.Core.Tests;
using Serilog.Core;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Runs;

public sealed class StepPathWarmUpTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public async Task The_warm_up_runs_every_step_on_copies_and_leaves_the_runs_weights_and_optimizer_as_they_were(string keyRanges)
    {
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        var options = TrainArguments.Parse(
        [
            "--data-dir", data.Path, "--layers", "linear:16:24,batchnorm:24,relu,dropout:0.3,linear:24:4", "--optimizer", "adam",
            "--batch-size", "25", "--steps", "20", "--seed", "11", "--threads", "1", "--device", "cpu", "--workers", "3",
            "--ps-shards", keyRanges,
        ]);
        using var run = TrainingRun.Prepare(options, Logger.None);
        var before = new float[run.Model.ParameterCount];
        run.Backend.Download(run.Model.Parameters, before);
        var sink = new CollectingSink();

        using (StepPathWarmUp.Start(run, workers: 3, workerThreads: 1, sink.CreateLogger()))
        {
            var warmed = await sink.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Step path warmed"), TimeSpan.FromSeconds(60));
            Assert.Equal("32", warmed.Properties["Steps"].ToString());
            Assert.Equal("8", warmed.Properties["Rows"].ToString());
        }

        var after = new float[run.Model.ParameterCount];
        run.Backend.Download(run.Model.Parameters, after);
        Assert.Equal(before, after);
        Assert.Equal(0, run.Optimizer.StepCount);
        Assert.DoesNotContain(sink.Events, e => e.Level >= LogEventLevel.Warning);
    }
}
