using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class ActivationsExperimentTests
{
    [Fact]
    public void Trains_all_nine_pairs_and_two_sigmoid_layers_learn_slowest()
    {
        using var lab = new TestLab("activations");

        var findings = new ActivationsExperiment().Conduct(lab.Context);

        Assert.Equal(9, findings.Runs.Count);
        Assert.Equal(9, findings.Runs.Select(r => r.Label).Distinct().Count());
        Assert.All(findings.Runs, r =>
        {
            Assert.False(r.Run.Diverged);
            Assert.True(double.IsFinite(r.Run.LastEpoch!.TrainLoss));
            Assert.InRange(r.Run.LastEpoch.TestAccuracy!.Value, 0.3, 1);
        });
        double sigmoids = findings.Find("sigmoid", "sigmoid").Run.LastEpoch!.TrainLoss;
        Assert.All(findings.Runs.Where(r => r.Label != "sigmoid / sigmoid"), r => Assert.True(r.Run.LastEpoch!.TrainLoss < sigmoids,
            $"{r.Label} ends at {r.Run.LastEpoch.TrainLoss:F3}, below sigmoid / sigmoid's {sigmoids:F3}"));
        Assert.True(findings.Find("relu", "relu").Run.LastEpoch!.TrainLoss < sigmoids - 0.3, "relu / relu learns far faster");
        string report = File.ReadAllText(Path.Combine(lab.Out, "activations", "report.md"));
        Assert.Contains("| none | none | ", report);
        Assert.Contains("| relu | sigmoid | ", report);
        Assert.Equal(["accuracy.png", "loss.png"], lab.Plots("activations").Select(Path.GetFileName).Order());
    }
}
