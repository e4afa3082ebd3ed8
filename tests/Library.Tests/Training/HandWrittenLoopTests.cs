using DistTrainer.Checkpoints;
using DistTrainer.Data;
using DistTrainer.Nn;
using DistTrainer.Optim;
using Xunit;

namespace DistTrainer.Library.Tests.Training;

public sealed class HandWrittenLoopTests
{
    [Fact]
    public void The_hand_written_loop_ends_with_the_weights_of_the_CLI_s_local_run_bit_for_bit()
    {
        using var run = new CliRun();
        using var model = CliRun.Model();
        var optimizer = new Adam(model.Parameters(), lr: 0.01);
        var loader = run.Loader();
        for (int epoch = 0; epoch < CliRun.Epochs; epoch++)
        {
            foreach (var (x, y) in loader)
            {
                optimizer.ZeroGrad();
                var loss = Loss.CrossEntropy(model.Forward(x), y);
                loss.Backward();
                optimizer.Step();
            }
        }

        using var cli = Checkpoint.LoadModel(run.TrainWithTheCli(), CliRun.ModelOptions);
        Assert.Equal(10, optimizer.StepCount);
        Assert.Equal(10, model.Step);
        CliRun.AssertSameBits(cli, model);
        using var untrained = CliRun.Model();
        Assert.NotEqual(untrained.StateDict()["0.weight"].ToArray(), model.StateDict()["0.weight"].ToArray());
    }

    [Fact]
    public void A_different_data_order_ends_elsewhere()
    {
        using var run = new CliRun();
        using var model = CliRun.Model();
        var optimizer = new Adam(model.Parameters(), lr: 0.01);
        var loader = new DataLoader(run.Train, batchSize: 32, shuffle: true, seed: 6);
        for (int epoch = 0; epoch < CliRun.Epochs; epoch++)
        {
            foreach (var (x, y) in loader)
            {
                optimizer.ZeroGrad();
                Loss.CrossEntropy(model.Forward(x), y).Backward();
                optimizer.Step();
            }
        }

        using var cli = Checkpoint.LoadModel(run.TrainWithTheCli(), CliRun.ModelOptions);
        Assert.NotEqual(cli.StateDict()["4.weight"].ToArray(), model.StateDict()["4.weight"].ToArray());
    }
}
