using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class InitExperimentTests
{
    [Fact]
    public void Zeros_keep_units_identical_large_weights_saturate_sigmoids_and_small_ones_collapse_deep_activations()
    {
        using var lab = new TestLab("init");

        var findings = new InitExperiment().Conduct(lab.Context);

        Assert.Equal(InitExperiment.Activations.Length * InitExperiment.Inits.Length, findings.Runs.Count);
        int last = InitExperiment.HiddenLayers - 1;
        foreach (string activation in InitExperiment.Activations)
        {
            var zeros = findings.Find(activation, "zeros");
            Assert.Equal(0, zeros.Trained.Spread);
            Assert.False(zeros.Run.Diverged);
            Assert.True(findings.Find(activation, "Xavier").Trained.Spread > 0.1, "Xavier's units differ");
            Assert.All(zeros.Initial, layer => Assert.All(layer, v => Assert.Equal(layer[0], v)));
        }
        Assert.True(findings.Find("sigmoid", "zeros").Trained.Largest > 1e-4,
            "the zero-initialised sigmoid net's hidden weights moved in training, every unit of a layer the same way");

        var saturated = findings.Find("sigmoid", "N(0,1)");
        Assert.True(saturated.SaturatedFraction > 0.5, $"N(0,1): {saturated.SaturatedFraction:P0} of sigmoid outputs below 0.05 or above 0.95");
        Assert.True(findings.Find("sigmoid", "Xavier").SaturatedFraction < 0.05);

        Assert.True(findings.Find("sigmoid", "N(0,0.01)").Std(last) < 0.02, "N(0,0.01): sigmoid outputs squeezed around 0.5");
        Assert.True(findings.Find("sigmoid", "Xavier").Std(last) > 0.08, "Xavier keeps the sigmoid outputs spread");
        Assert.True(findings.Find("relu", "N(0,0.01)").Std(last) < 1e-4, "N(0,0.01): ReLU outputs shrink towards 0 layer after layer");
        Assert.True(findings.Find("relu", "He").Std(last) > 0.2, "He keeps the ReLU outputs spread");
        Assert.True(findings.Find("relu", "N(0,1)").Std(last) > 100, "N(0,1): ReLU outputs blow up layer after layer");

        string report = File.ReadAllText(Path.Combine(lab.Out, "init", "report.md"));
        Assert.Contains("| zeros | sigmoid | 0.000 | 0.000 | 0% | yes |", report);
        Assert.Equal(["activations-relu.png", "activations-sigmoid.png", "loss.png"], lab.Plots("init").Select(Path.GetFileName).Order());
    }
}
