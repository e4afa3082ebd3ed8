using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class LossesExperimentTests
{
    [Fact]
    public void Cross_entropy_reaches_seventy_percent_sooner_and_ends_higher_than_mse()
    {
        using var lab = new TestLab("losses");

        var findings = new LossesExperiment().Conduct(lab.Context);

        var (mse, scaledMse, crossEntropy) = (findings.Mse, findings.ScaledMse, findings.CrossEntropy);
        Assert.Equal(mse.Curves.Epochs.Count, crossEntropy.Curves.Epochs.Count);
        Assert.All(mse.Curves.Epochs.Zip(crossEntropy.Curves.Epochs),
            pair => Assert.True(pair.Second.TestAccuracy > pair.First.TestAccuracy, $"epoch {pair.First.Epoch}: cross-entropy ahead"));
        int? crossEntropyAt = LossesExperiment.FirstEpochReaching(crossEntropy, 0.7);
        int? mseAt = LossesExperiment.FirstEpochReaching(mse, 0.7);
        Assert.NotNull(crossEntropyAt);
        Assert.True(mseAt is null || mseAt > crossEntropyAt, $"MSE reached 0.7 at epoch {mseAt}, cross-entropy at {crossEntropyAt}");
        Assert.True(crossEntropy.LastEpoch!.TestAccuracy > mse.LastEpoch!.TestAccuracy + 0.2,
            $"final test accuracy: cross-entropy {crossEntropy.LastEpoch.TestAccuracy}, MSE {mse.LastEpoch.TestAccuracy}");
        Assert.True(scaledMse.LastEpoch!.TestAccuracy > mse.LastEpoch.TestAccuracy + 0.2, "most of the gap is MSE's tenfold smaller gradient");
        Assert.True(crossEntropy.LastEpoch.TestAccuracy > scaledMse.LastEpoch.TestAccuracy + 0.05,
            $"at tiny size cross-entropy stays ahead of MSE at η × 10 ({scaledMse.LastEpoch.TestAccuracy})");
        string report = File.ReadAllText(Path.Combine(lab.Out, "losses", "report.md"));
        Assert.Contains("| mse | not within", report);
        Assert.Contains("| mse, η × 10 | ", report);
        Assert.Contains("| cross-entropy | ", report);
        Assert.Equal(["accuracy.png", "loss.png"], lab.Plots("losses").Select(Path.GetFileName).Order());
    }
}
