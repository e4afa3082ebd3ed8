using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

public sealed class OptionResolverTests
{
    public static TheoryData<OptimizerSettings, string> BadSettings() => new()
    {
        { new("adam", Beta1: 1.5f), "--beta1: 1.5 is outside [0, 1)" },
        { new("adam", Beta2: 1f), "--beta2: 1 is outside [0, 1)" },
        { new("adam", Beta1: -0.1f), "--beta1: -0.1 is outside [0, 1)" },
        { new("sgd", LearningRate: -0.01f), "--lr: -0.01 is negative" },
        { new("adagrad", Eps: -1e-10f), "--eps: -1E-10 is negative" },
        { new("rmsprop", WeightDecay: -1f), "--weight-decay: -1 is negative" },
        { new("rmsprop", Alpha: 1f), "--alpha: 1 is outside [0, 1)" },
        { new("rmsprop", Momentum: 1f), "--momentum: 1 is outside [0, 1)" },
        { new("adadelta", Rho: 2f), "--rho: 2 is outside [0, 1)" },
        { new("adam", LearningRate: float.NaN), "--lr: NaN is not a finite number" },
        { new("momentum", Momentum: float.PositiveInfinity), "--momentum: Infinity is not a finite number" },
        { new("nag", Momentum: 0f), "--momentum: optimizer 'nag' needs a momentum in (0, 1), got 0" },
        { new("sgd", Rho: 0.9f), "--rho: optimizer 'sgd' does not use this option" },
        { new("sgd", Beta1: 0.9f), "--beta1: optimizer 'sgd' does not use this option" },
        { new("adam", Rho: 0.9f), "--rho: optimizer 'adam' does not use this option" },
        { new("adadelta", Alpha: 0.9f), "--alpha: optimizer 'adadelta' does not use this option" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_options_are_refused_naming_the_option(OptimizerSettings settings, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => OptimizerFactory.Create(settings, 4));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Options_are_returned_as_the_decimal_that_was_written_not_the_widened_float()
    {
        var options = new OptionResolver(new OptimizerSettings("adam", Beta2: 0.999f));

        Assert.Equal(0.999, options.Beta2(0.9f));
        Assert.NotEqual((double)0.999f, 0.999);
    }

    [Fact]
    public void Zero_is_accepted_at_the_closed_end_of_every_range()
    {
        var settings = new OptimizerSettings("rmsprop", LearningRate: 0f, Momentum: 0f, Eps: 0f, Alpha: 0f, WeightDecay: 0f);

        Assert.Equal(settings, OptimizerFactory.Create(settings, 4).ResolvedSettings);
    }
}
