using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class DropoutExperimentTests
{
    [Fact]
    public void Without_dropout_the_wide_net_memorises_its_subset_and_dropout_narrows_the_gap()
    {
        using var lab = new TestLab("dropout");

        var findings = new DropoutExperiment().Conduct(lab.Context);

        var (plain, dropout) = (findings.Plain, findings.Dropout);
        Assert.True(plain.TrainAccuracy > 0.95, $"the plain net fits its training subset: {plain.TrainAccuracy}");
        Assert.True(plain.Gap > 0.1, $"and generalises far worse: gap {plain.Gap}");
        Assert.True(plain.Gap > dropout.Gap + 0.02, $"dropout narrows the gap: {plain.Gap} against {dropout.Gap}");
        Assert.True(dropout.Test.LastEpoch!.TestLoss < plain.Test.LastEpoch!.TestLoss, "dropout's test loss ends lower");
        // Both runs of a network train the same weights; only the set they score differs.
        Assert.Equal(plain.Train.StepLosses, plain.Test.StepLosses);
        Assert.Equal(dropout.Train.StepLosses, dropout.Test.StepLosses);

        string report = File.ReadAllText(Path.Combine(lab.Out, "dropout", "report.md"));
        Assert.Contains("| no dropout | ", report);
        Assert.Contains("| dropout | ", report);
        Assert.Equal(["accuracy.png", "loss.png"], lab.Plots("dropout").Select(Path.GetFileName).Order());
    }
}
