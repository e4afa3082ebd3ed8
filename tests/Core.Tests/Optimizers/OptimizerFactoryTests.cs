using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class OptimizerFactoryTests
{
    [Fact]
    public void Names_are_the_eight_optimizers_and_each_builds_under_its_name()
    {
        Assert.Equal(["sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam", "adamw"], OptimizerFactory.Names);
        Assert.All(OptimizerFactory.Names, name => Assert.Equal(name, OptimizerFactory.Create(new(name), 4).Name));
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_names_it_could_be()
    {
        var error = Assert.Throws<InvalidInputException>(() => OptimizerFactory.Create(new("adamx"), 4));

        Assert.Equal(
            "--optimizer: unknown optimizer 'adamx'; expected one of sgd, momentum, nag, adagrad, rmsprop, adadelta, adam, adamw",
            error.Message);
    }

    [Fact]
    public void Names_are_read_without_regard_to_case_or_surrounding_blanks()
    {
        var optimizer = OptimizerFactory.Create(new(" AdamW "), 4);

        Assert.Equal("adamw", optimizer.Name);
        Assert.Equal("adamw", optimizer.ResolvedSettings.Name);
    }

    public static TheoryData<OptimizerSettings> TorchDefaults() =>
    [
        new("sgd", LearningRate: 0.01f, WeightDecay: 0f),
        new("momentum", LearningRate: 0.01f, Momentum: 0.9f, WeightDecay: 0f),
        new("nag", LearningRate: 0.01f, Momentum: 0.9f, WeightDecay: 0f),
        new("adagrad", LearningRate: 0.01f, Eps: 1e-10f, WeightDecay: 0f),
        new("rmsprop", LearningRate: 0.01f, Momentum: 0f, Eps: 1e-8f, Alpha: 0.99f, WeightDecay: 0f),
        new("adadelta", LearningRate: 1f, Eps: 1e-6f, Rho: 0.9f, WeightDecay: 0f),
        new("adam", LearningRate: 1e-3f, Beta1: 0.9f, Beta2: 0.999f, Eps: 1e-8f, WeightDecay: 0f),
        new("adamw", LearningRate: 1e-3f, Beta1: 0.9f, Beta2: 0.999f, Eps: 1e-8f, WeightDecay: 1e-2f),
    ];

    [Theory]
    [MemberData(nameof(TorchDefaults))]
    public void Options_left_out_resolve_to_torchs_defaults(OptimizerSettings expected)
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(expected.Name), 4);

        Assert.Equal(expected, optimizer.ResolvedSettings);
    }

    [Fact]
    public void Options_given_are_kept()
    {
        var given = new OptimizerSettings("adam", LearningRate: 0.5f, Beta1: 0f, Beta2: 0.5f, Eps: 0f, WeightDecay: 2f);

        Assert.Equal(given, OptimizerFactory.Create(given, 4).ResolvedSettings);
    }

    [Fact]
    public void Sgd_given_a_momentum_is_momentum_sgd_as_in_torch()
    {
        var sgd = OptimizerFactory.Create(new OptimizerSettings("sgd", LearningRate: 0.1f, Momentum: 0.5f), 3);
        var momentum = OptimizerFactory.Create(new OptimizerSettings("momentum", LearningRate: 0.1f, Momentum: 0.5f), 3);
        float[] a = [1f, 2f, 3f], b = [1f, 2f, 3f];
        for (int step = 0; step < 3; step++)
        {
            sgd.Step(a, [0.5f, -1f, 2f]);
            momentum.Step(b, [0.5f, -1f, 2f]);
        }
        Assert.Equal(b, a);
        Assert.NotEqual(1f - 3 * 0.05f, a[0]);
        Assert.Equal(["momentum_buffer"], sgd.StateNames);
    }
}
