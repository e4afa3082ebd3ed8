using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

/// <summary>What training reaches on real problems, and how it stops when it diverges.</summary>
public class TrainOutcomeTests
{
    [Fact]
    public void A_two_layer_tanh_network_fits_xor()
    {
        using var dir = new TempDirectory();
        var (exit, summary, _) = TrainRunner.Run(dir, "--dataset", "xor", "--layers", "linear:2:4,tanh,linear:4:1",
            "--loss", "bce-with-logits", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "full", "--steps", "1500",
            "--seed", "3", "--device", "cpu");
        Assert.Equal(0, exit);
        var last = TrainRunner.LastEpoch(summary);
        Assert.True(last.GetProperty("test_loss").GetDouble() < 0.01, $"XOR loss {last.GetProperty("test_loss")}");
        Assert.Equal(1.0, last.GetProperty("test_accuracy").GetDouble());
        var optimizer = summary.GetProperty("config").GetProperty("optimizer");
        Assert.Equal("adam", optimizer.GetProperty("Name").GetString());
        Assert.Equal(0.9, optimizer.GetProperty("Beta1").GetDouble(), 6);
        Assert.Equal(1500, summary.GetProperty("steps").GetInt64());
    }

    [Theory]
    [InlineData("linear:2:1,sigmoid", "bce")]
    [InlineData("linear:2:1,step", "mse")]
    public void A_single_perceptron_cannot_fit_xor(string layers, string loss)
    {
        using var dir = new TempDirectory();
        var (exit, summary, _) = TrainRunner.Run(dir, "--dataset", "xor", "--layers", layers, "--loss", loss,
            "--optimizer", "adam", "--lr", "0.05", "--batch-size", "full", "--steps", "1500", "--device", "cpu");
        Assert.Equal(0, exit);
        var last = TrainRunner.LastEpoch(summary);
        Assert.True(last.GetProperty("test_accuracy").GetDouble() <= 0.75);
        Assert.True(last.GetProperty("test_loss").GetDouble() > 0.1, $"a perceptron reached loss {last.GetProperty("test_loss")} on XOR");
    }

    [Fact]
    public void A_diverging_run_stops_at_the_step_and_keeps_the_last_good_weights()
    {
        using var dir = new TempDirectory();
        string data = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Parity", "data");
        string saved = Path.Combine(dir.Path, "last-good.safetensors");
        var (exit, summary, _) = TrainRunner.Run(dir, "--data-dir", data, "--layers", "linear:12:8,batchnorm:8,relu,linear:8:3",
            "--optimizer", "sgd", "--lr", "1e38", "--batch-size", "8", "--steps", "20", "--no-shuffle", "--device", "cpu",
            "--save", saved);
        Assert.Equal(3, exit);
        string failure = summary.GetProperty("failure").GetString()!;
        Assert.Matches(@"at step \d+ \(epoch 1, batch \d+\)", failure);
        foreach (var tensor in SafeTensorsFile.Read(saved).Tensors.Values.Where(t => t.DType == "F32"))
            Assert.All(tensor.ToFloats(), v => Assert.True(float.IsFinite(v), $"{tensor.Name} holds {v}"));
    }
}
