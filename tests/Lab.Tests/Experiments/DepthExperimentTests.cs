using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class DepthExperimentTests
{
    [Fact]
    public void The_deep_sigmoid_net_starves_its_first_layer_of_gradient_and_stays_at_chance_while_relu_trains()
    {
        using var lab = new TestLab("depth");

        var findings = new DepthExperiment().Conduct(lab.Context);

        Assert.Equal(DepthExperiment.Activations, findings.Runs.Select(r => r.Activation));
        var sigmoid = findings.Runs.Single(r => r.Activation == "sigmoid");
        var relu = findings.Runs.Single(r => r.Activation == "relu");
        Assert.Equal(DepthExperiment.HiddenLayers + 1, sigmoid.FirstEpochNorms.Length);
        Assert.True(sigmoid.Ratio < 1e-2, $"sigmoid: layer 1's gradient norm is {sigmoid.Ratio:G3} of layer 11's");
        Assert.True(relu.Ratio > 0.1, $"relu: layer 1's gradient norm is {relu.Ratio:G3} of layer 11's");
        var hidden = sigmoid.FirstEpochNorms.Skip(1).ToArray();
        Assert.True(hidden.Zip(hidden.Skip(1)).All(p => p.First < p.Second),
            "through sigmoid layers the gradient shrinks layer after layer towards the input (layer 1 sees the larger raw pixels)");
        Assert.InRange(sigmoid.Run.LastEpoch!.TestAccuracy!.Value, 0.05, 0.2);
        Assert.True(relu.Run.LastEpoch!.TestAccuracy > 0.4, $"relu reaches {relu.Run.LastEpoch.TestAccuracy:F3}");
        Assert.Equal(sigmoid.Run.Result.Steps, sigmoid.Gradients.Steps);
        string report = File.ReadAllText(Path.Combine(lab.Out, "depth", "report.md"));
        Assert.Contains("| sigmoid | ", report);
        Assert.Contains("| relu | ", report);
        Assert.Equal(["accuracy.png", "gradient-over-steps.png", "gradient-per-layer.png"],
            lab.Plots("depth").Select(Path.GetFileName).Order());
    }
}
