using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

public sealed class TrainCurvesTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Every_run_with_a_summary_writes_its_loss_and_accuracy_curves_next_to_it()
    {
        using var dir = new TempDirectory();

        var (exit, _, output) = TrainRunner.Run(dir, "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:2", "--optimizer", "adam",
            "--lr", "0.05", "--batch-size", "full", "--epochs", "30", "--workers", "0", "--device", "cpu");

        Assert.Equal(0, exit);
        foreach (var name in new[] { "summary.loss.png", "summary.accuracy.png" })
        {
            var bytes = File.ReadAllBytes(dir.File(name));
            Assert.Equal(PngSignature, bytes[..8]);
            Assert.True(bytes.Length > 10_000, $"{name} is {bytes.Length} bytes: too small to hold a drawn plot");
            Assert.Contains(dir.File(name), output);
        }
    }

    [Fact]
    public void A_diverged_run_still_writes_its_summary_with_an_infinite_test_loss()
    {
        using var dir = new TempDirectory();

        var (exit, summary, _) = TrainRunner.Run(dir, "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:2", "--loss", "mse",
            "--optimizer", "sgd", "--lr", "1e6", "--batch-size", "full", "--epochs", "50", "--workers", "0", "--device", "cpu");

        Assert.Equal(3, exit);
        Assert.False(string.IsNullOrEmpty(summary.GetProperty("failure").GetString()));
        Assert.True(File.Exists(dir.File("summary.loss.png")));
    }
}
