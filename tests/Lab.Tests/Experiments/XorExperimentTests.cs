using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class XorExperimentTests
{
    [Fact]
    public void The_perceptron_learns_and_and_or_but_not_xor_and_the_network_learns_xor()
    {
        using var lab = new TestLab("xor");

        var findings = new XorExperiment().Conduct(lab.Context);

        var (and, or, xor) = (findings.Perceptrons[0], findings.Perceptrons[1], findings.Perceptrons[2]);
        Assert.Equal(["and", "or", "xor"], findings.Perceptrons.Select(p => p.Task));
        Assert.Equal(1.0, and.Accuracy);
        Assert.Equal(1.0, or.Accuracy);
        Assert.False(xor.Converged);
        Assert.All(xor.Accuracies, a => Assert.True(a <= 0.75, $"perceptron accuracy {a} on XOR"));
        Assert.Equal(1.0, findings.NetworkAccuracy);
        Assert.False(findings.Network.Diverged);
        Assert.True(findings.Network.StepLosses[^1] < 0.1 * findings.Network.StepLosses[0], "the network's loss falls tenfold");
        // AND's regions: class 1 at the grid's top right (1.5, 1.5), class 0 at its bottom left (-0.5, -0.5), whatever line it learned.
        int last = and.Regions.GetLength(0) - 1;
        Assert.Equal(1.0, and.Regions[0, last]);
        Assert.Equal(0.0, and.Regions[last, 0]);
        string report = File.ReadAllText(Path.Combine(lab.Out, "xor", "report.md"));
        Assert.Contains("| perceptron (delta rule) | XOR | ", report);
        Assert.Contains("| XOR | 1.00 | ", report);
        Assert.Equal(["decision-boundaries.png", "mlp-loss.png"], lab.Plots("xor").Select(Path.GetFileName).Order());
        Assert.All(lab.Plots("xor"), png => Assert.True(new FileInfo(png).Length > 10_000, $"{png} holds a drawn plot"));
    }
}
