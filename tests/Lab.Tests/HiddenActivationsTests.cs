using DistTrainer.Coordinator.Lab;
using DistTrainer.Coordinator.Runs;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class HiddenActivationsTests
{
    [Fact]
    public void Reads_each_activation_layer_of_the_initial_model_as_a_forward_pass_by_hand_does()
    {
        using var run = TrainingRun.Prepare(new TrainOptions
        {
            Dataset = "xor",
            Layers = "linear:2:3,tanh,linear:3:2,sigmoid,linear:2:2",
            Seed = 7,
            Device = "cpu",
            Workers = 0,
        }, Logger.None);
        var p = new float[run.Model.ParameterCount];
        run.Backend.Download(run.Model.Parameters, p);

        var activations = HiddenActivations.Of(run, rows: 10);

        Assert.Equal(2, activations.Count);
        int rows = run.Train.Count;
        Assert.Equal(rows * 3, activations[0].Length);
        Assert.Equal(rows * 2, activations[1].Length);
        for (int r = 0; r < rows; r++)
        {
            var x = run.Train.Row(r);
            // Layout: 0.weight [3, 2] at 0, 0.bias [3] at 6, 2.weight [2, 3] at 9, 2.bias [2] at 15.
            var hidden = new double[3];
            for (int j = 0; j < 3; j++)
            {
                hidden[j] = Math.Tanh(p[j * 2] * x[0] + p[j * 2 + 1] * x[1] + p[6 + j]);
                Assert.Equal(hidden[j], activations[0][r * 3 + j], 5);
            }
            for (int k = 0; k < 2; k++)
            {
                double z = p[15 + k];
                for (int j = 0; j < 3; j++) z += p[9 + k * 3 + j] * hidden[j];
                Assert.Equal(1 / (1 + Math.Exp(-z)), activations[1][r * 2 + k], 5);
            }
        }
    }
}
