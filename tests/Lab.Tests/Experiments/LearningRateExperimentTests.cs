using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class LearningRateExperimentTests
{
    [Fact]
    public void Small_rates_converge_in_order_of_size_and_the_largest_diverges()
    {
        using var lab = new TestLab("learning-rate");

        var findings = new LearningRateExperiment().Conduct(lab.Context);

        var runs = findings.Runs;
        Assert.Equal(LearningRateExperiment.Rates.Length, runs.Count);
        Assert.All(runs.Take(3), r => Assert.False(r.Diverged));
        Assert.True(runs[0].StepLosses[^1] < runs[0].StepLosses[0], "η = 0.01 lowers the loss");
        Assert.True(runs[0].StepLosses[^1] > runs[1].StepLosses[^1], "η = 0.03 ends below η = 0.01");
        Assert.True(runs[1].StepLosses[^1] > runs[2].StepLosses[^1], "η = 0.13 ends below η = 0.03");
        Assert.True(runs[3].Diverged, "η = 1 diverges");
        Assert.True(runs[3].StepLosses[^1] > 1e6 * runs[3].StepLosses[0], "the diverging loss grows by orders of magnitude first");
        string report = File.ReadAllText(Path.Combine(lab.Out, "learning-rate", "report.md"));
        Assert.Contains("| 1 | ", report);
        Assert.Contains("diverged: stopped at step", report);
        Assert.Contains("- seed: 1", report);
        Assert.Equal(["divergence.png", "loss.png"], lab.Plots("learning-rate").Select(Path.GetFileName).Order());
    }
}
