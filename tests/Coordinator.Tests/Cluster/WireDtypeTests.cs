using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Tests.Hosting;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core.Tests;
using DistTrainer.Worker.Actors;
using Serilog.Core;
using Xunit;
using Xunit.Abstractions;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Gradients sent as bf16 or fp16 with error feedback: two workers train to where fp32 gets, the rounding is
/// deterministic (two bf16 runs end bit-identical), and each shard result carries half the gradient bytes. A worker
/// killed mid-run takes its shards' residuals with it, so that run no longer ends on the undisturbed run's bits.
/// The measured differences go to the test output.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class WireDtypeTests(ITestOutputHelper output)
{
    private const string Layers = "linear:16:64,tanh,linear:64:4";
    private const int Parameters = 16 * 64 + 64 + 64 * 4 + 4;
    private const int Steps = 30;

    /// <summary>
    /// A bf16 gradient keeps 8 significant bits, so one step's update moves by up to 2^-9 of itself; error feedback
    /// hands the lost part to the next step, so the drift does not add up. Adam's lr of 0.01 bounds each weight's move
    /// per step, and Adam rescales small gradients to full steps, so a weight ends within about one lr of fp32's.
    /// Measured: the largest difference of a weight or optimizer moment 0.010 (bf16) and 0.009 (fp16), the final
    /// losses 1e-4 apart; a worker killed mid-run moved the weights by 1.2e-4. The weight bound leaves twice the measured room; the
    /// loss bound, 0.01, is the smallest difference that would matter.
    /// </summary>
    private const double WeightTolerance = 0.02;
    private const double LossTolerance = 0.01;

    [Theory]
    [InlineData("bf16")]
    [InlineData("fp16")]
    public void Two_workers_sending_16_bit_gradients_land_close_to_fp32_with_half_the_gradient_bytes(string dtype)
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);

        var exact = Train(data.Path, "fp32", dir.File("fp32.safetensors"));
        var rounded = Train(data.Path, dtype, dir.File("rounded.safetensors"));

        CheckpointAssert.Close(dir.File("fp32.safetensors"), dir.File("rounded.safetensors"), WeightTolerance, $"{dtype} against fp32");
        double exactLoss = exact.Result.Epochs[^1].TrainLoss, roundedLoss = rounded.Result.Epochs[^1].TrainLoss;
        output.WriteLine($"{dtype}: largest difference to fp32 " +
                         $"{CheckpointAssert.LargestDifference(dir.File("fp32.safetensors"), dir.File("rounded.safetensors")):G3}, loss {roundedLoss:F5} against {exactLoss:F5}");
        Assert.True(Math.Abs(roundedLoss - exactLoss) <= LossTolerance, $"{dtype} ended at loss {roundedLoss}, fp32 at {exactLoss}");
        Assert.True(roundedLoss < exact.Result.Epochs[0].TrainLoss, $"{dtype} did not train: {roundedLoss}");
        // The same Hellos; every one of the 2 x 30 results carries 2 bytes less per parameter. (Bytes sent, the fp32
        // weights, are not compared: the last step's weights may still be queued when the run's count is taken.)
        Assert.Equal(2L * Steps * 2 * Parameters, exact.Traffic.BytesReceived - rounded.Traffic.BytesReceived);
    }

    [Fact]
    public void Two_bf16_runs_end_bit_identical()
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);

        Train(data.Path, "bf16", dir.File("first.safetensors"));
        Train(data.Path, "bf16", dir.File("second.safetensors"));

        CheckpointAssert.Close(dir.File("first.safetensors"), dir.File("second.safetensors"), 0, "two bf16 runs");
    }

    [Fact]
    public async Task A_worker_killed_mid_bf16_run_loses_its_residuals_and_the_run_ends_near_the_undisturbed_one()
    {
        using var dir = new TempDirectory();
        using var data = new TempDirectory();
        SyntheticDataset.Write(data, count: 125, rows: 4, columns: 4, classes: 4);
        var undisturbed = Train(data.Path, "bf16", dir.File("undisturbed.safetensors"));

        int port = Ports.Free();
        var killer = new KillAtStep(10);
        var training = Task.Run(() => EmbeddedCluster.Train(TrainArguments.Parse(
        [
            .. Arguments(data.Path, "bf16", dir.File("faulted.safetensors"), workers: 1), "--expect-workers", "2", "--port", port.ToString(),
        ]), akka: FaultIndependenceTests.QuickDowning, gradients: killer));
        await using var victim = EmbeddedWorkers.Start(1, $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{port}",
            _ => new WorkerSettings("victim", null, data.Path, "cpu", 1, TimeSpan.FromSeconds(60)), Logger.None, WorkerFaultTests.Abrupt);
        killer.Victim = victim.Systems[0];
        var faulted = await training.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Null(faulted.Result.Failure);
        Assert.Equal(10, killer.KilledAtStep);
        Assert.Equal(Steps, faulted.AppliedSteps.Count);
        Assert.Equal(["victim"], faulted.WorkersLost);
        double difference = CheckpointAssert.LargestDifference(dir.File("undisturbed.safetensors"), dir.File("faulted.safetensors"));
        double undisturbedLoss = undisturbed.Result.Epochs[^1].TrainLoss, faultedLoss = faulted.Result.Epochs[^1].TrainLoss;
        output.WriteLine($"bf16, worker killed at step 10: largest difference to the undisturbed run {difference:G3}, " +
                         $"loss {faultedLoss:F5} against {undisturbedLoss:F5}");
        Assert.True(difference > 0, "the run that lost a worker ended on the undisturbed run's bits: no residual was lost");
        CheckpointAssert.Close(dir.File("undisturbed.safetensors"), dir.File("faulted.safetensors"), WeightTolerance, "after a worker was killed");
        Assert.True(Math.Abs(faultedLoss - undisturbedLoss) <= LossTolerance, $"faulted loss {faultedLoss}, undisturbed {undisturbedLoss}");
    }

    private static string[] Arguments(string data, string dtype, string save, int workers) =>
    [
        "--data-dir", data, "--layers", Layers, "--optimizer", "adam", "--lr", "0.01", "--batch-size", "25",
        "--steps", Steps.ToString(), "--seed", "5", "--threads", "1", "--device", "cpu", "--workers", workers.ToString(), "--shards", "2",
        "--shard-sizing", "equal", "--wire-dtype", dtype, "--save", save,
    ];

    private static DistributedRunReport Train(string data, string dtype, string save)
    {
        var report = EmbeddedCluster.Train(TrainArguments.Parse(Arguments(data, dtype, save, workers: 2)));
        Assert.Null(report.Result.Failure);
        Assert.Equal(Steps, report.AppliedSteps.Count);
        Assert.Equal(0, report.Dropped.Rejected);
        return report;
    }
}
