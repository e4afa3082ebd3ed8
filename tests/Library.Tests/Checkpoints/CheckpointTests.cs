using DistTrainer.Checkpoints;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Tests;
using DistTrainer.Nn;
using DistTrainer.Optim;
using Xunit;

namespace DistTrainer.Library.Tests.Checkpoints;

public sealed class CheckpointTests
{
    private static readonly ModelOptions Cpu = new() { Device = "cpu", Threads = 1 };

    private static Sequential Model(ulong seed) =>
        new(Cpu with { Seed = seed }, new Linear(3, 5), new BatchNorm1d(5), new ReLU(), new Linear(5, 2));

    private static readonly Tensor Input = new([1f, -2f, 0.5f, 3f, 0.25f, -1f, 2f, 2f, -0.5f], 3, 3);

    private static void TrainOneStep(Sequential model, Optimizer optimizer)
    {
        optimizer.ZeroGrad();
        Loss.CrossEntropy(model.Forward(Input), new Tensor([0f, 1f, 1f], 3)).Backward();
        optimizer.Step();
    }

    [Fact]
    public void A_saved_model_loads_back_with_its_layers_and_the_same_outputs_bit_for_bit()
    {
        using var directory = new TempDirectory();
        string path = directory.File("model.safetensors");
        using var model = Model(seed: 2);
        TrainOneStep(model, new SGD(model.Parameters(), lr: 0.1));

        Checkpoint.Save(path, model);
        using var loaded = Checkpoint.LoadModel(path, Cpu);

        Assert.Equal(4, ModelCheckpoint.ReadSpec(path).Layers.Count);
        Assert.Equal("linear:3:5,batchnorm:5,relu,linear:5:2", loaded.Describe());
        Assert.Equal(model.Eval().Forward(Input).ToArray(), loaded.Eval().Forward(Input).ToArray());
    }

    [Fact]
    public void A_checkpoint_with_its_optimizer_resumes_where_training_left_off()
    {
        using var directory = new TempDirectory();
        string path = directory.File("run.safetensors");
        using var straight = Model(seed: 2);
        var straightOptimizer = new Adam(straight.Parameters(), lr: 0.05);
        TrainOneStep(straight, straightOptimizer);
        Checkpoint.Save(path, straight, straightOptimizer);
        TrainOneStep(straight, straightOptimizer);

        using var resumed = Model(seed: 7);
        var resumedOptimizer = new Adam(resumed.Parameters(), lr: 0.05);
        Assert.True(Checkpoint.Load(path, resumed, resumedOptimizer));
        Assert.Equal(1, resumedOptimizer.StepCount);
        Assert.Equal(1, resumed.Step);
        TrainOneStep(resumed, resumedOptimizer);

        Assert.Equal(straight.StateDict()["3.weight"].ToArray(), resumed.StateDict()["3.weight"].ToArray());
    }

    [Fact]
    public void The_optimizer_state_of_another_optimizer_is_not_restored()
    {
        using var directory = new TempDirectory();
        string path = directory.File("run.safetensors");
        using var model = Model(seed: 2);
        var adam = new Adam(model.Parameters());
        TrainOneStep(model, adam);
        Checkpoint.Save(path, model, adam);

        Assert.False(Checkpoint.Load(path, model, new RMSprop(model.Parameters())));
    }
}
