using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;
using DistTrainer.Optim;
using Xunit;

namespace DistTrainer.Library.Tests.Optim;

public sealed class OptimizerTests
{
    private static readonly Sequential Model = new(new ModelOptions { Device = "cpu", Threads = 1 }, new Linear(2, 2));

    public static TheoryData<string, string, OptimizerSettings> Named => new()
    {
        { "SGD", "sgd", new("sgd", LearningRate: 0.01f, WeightDecay: 0f) },
        { "SGD with momentum", "sgd", new("sgd", LearningRate: 0.05f, Momentum: 0.9f, WeightDecay: 0f) },
        { "SGD with Nesterov momentum", "nag", new("nag", LearningRate: 0.01f, Momentum: 0.8f, WeightDecay: 0f) },
        { "Adagrad", "adagrad", new("adagrad", LearningRate: 0.01f, Eps: 1e-10f, WeightDecay: 0f) },
        { "RMSprop", "rmsprop", new("rmsprop", LearningRate: 0.01f, Momentum: 0f, Eps: 1e-8f, Alpha: 0.9f, WeightDecay: 0f) },
        { "Adadelta", "adadelta", new("adadelta", LearningRate: 1f, Eps: 1e-6f, Rho: 0.95f, WeightDecay: 0f) },
        { "Adam", "adam", new("adam", LearningRate: 1e-3f, Beta1: 0.8f, Beta2: 0.99f, Eps: 1e-8f, WeightDecay: 0f) },
        { "AdamW", "adamw", new("adamw", LearningRate: 2e-3f, Beta1: 0.9f, Beta2: 0.999f, Eps: 1e-8f, WeightDecay: 1e-2f) },
    };

    private static Optimizer Create(string name) => name switch
    {
        "SGD" => new SGD(Model.Parameters()),
        "SGD with momentum" => new SGD(Model.Parameters(), lr: 0.05, momentum: 0.9),
        "SGD with Nesterov momentum" => new SGD(Model.Parameters(), momentum: 0.8, nesterov: true),
        "Adagrad" => new Adagrad(Model.Parameters()),
        "RMSprop" => new RMSprop(Model.Parameters(), alpha: 0.9),
        "Adadelta" => new Adadelta(Model.Parameters(), rho: 0.95),
        "Adam" => new Adam(Model.Parameters(), betas: (0.8, 0.99)),
        _ => new AdamW(Model.Parameters(), lr: 2e-3),
    };

    [Theory]
    [MemberData(nameof(Named))]
    public void Each_torch_optimizer_is_the_engine_s_rule_with_torch_s_defaults(string torchName, string engineName, OptimizerSettings settings)
    {
        var optimizer = Create(torchName);

        Assert.Equal(engineName, optimizer.Name);
        Assert.Equal(settings, optimizer.Settings);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Nesterov_without_momentum_is_refused_as_torch_refuses_it()
    {
        var error = Assert.ThrowsAny<Exception>(() => new SGD(Model.Parameters(), nesterov: true));
        Assert.Contains("momentum", error.Message);
    }

    [Fact]
    public void A_step_of_sgd_moves_each_weight_against_its_gradient()
    {
        using var model = new Sequential(new ModelOptions { Device = "cpu", Threads = 1 }, new Linear(1, 1, init: "zeros"));
        var optimizer = new SGD(model.Parameters(), lr: 0.5);

        optimizer.ZeroGrad();
        Loss.Mse(model.Forward(new Tensor([2f], 1, 1)), new Tensor([1f], 1, 1)).Backward();
        optimizer.Step();

        // loss = (w * 2 + b - 1)^2 at w = b = 0: dw = -4, db = -2.
        Assert.Equal([2f], model.StateDict()["0.weight"].ToArray());
        Assert.Equal([1f], model.StateDict()["0.bias"].ToArray());
        Assert.Equal(1, optimizer.StepCount);
    }
}
