using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>The default `train` on Fashion-MNIST (Debian's dataset-fashion-mnist, which .ci/run installs).</summary>
public class FashionMnistTests
{
    [Fact]
    public void The_default_mlp_reaches_089_test_accuracy_within_ten_epochs()
    {
        Assert.True(File.Exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
            "Fashion-MNIST is missing: run deploy/ensure-dataset.sh (installs Debian's dataset-fashion-mnist)");
        using var dir = new TempDirectory();
        var (exit, summary, _) = TrainRunner.Run(dir, "--device", "cpu", "--workers", "0");
        Assert.Equal(0, exit);
        var epochs = summary.GetProperty("epochs").EnumerateArray().ToList();
        Assert.Equal(10, epochs.Count);
        double best = epochs.Max(e => e.GetProperty("test_accuracy").GetDouble());
        Assert.True(best >= 0.89, $"best test accuracy in 10 epochs was {best:F4}");
    }
}
