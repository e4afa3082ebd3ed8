using DistTrainer.Core.Optimizers;
using Xunit;

namespace DistTrainer.Core.Tests.Optimizers;

/// <summary>Seeded parameters and gradients, and settings that switch on every option an optimizer has.</summary>
internal static class OptimizerRuns
{
    public static TheoryData<string> Names() => [.. OptimizerFactory.Names];

    /// <summary>Non-default values everywhere, so no branch of a rule (weight decay, momentum) is skipped.</summary>
    public static OptimizerSettings Exercising(string name) => name switch
    {
        "sgd" => new(name, LearningRate: 0.05f, WeightDecay: 0.01f),
        "momentum" or "nag" => new(name, LearningRate: 0.05f, Momentum: 0.8f, WeightDecay: 0.01f),
        "adagrad" => new(name, LearningRate: 0.1f, Eps: 1e-8f, WeightDecay: 0.01f),
        "rmsprop" => new(name, LearningRate: 0.01f, Alpha: 0.9f, Eps: 1e-6f, Momentum: 0.5f, WeightDecay: 0.01f),
        "adadelta" => new(name, LearningRate: 0.5f, Rho: 0.95f, Eps: 1e-5f, WeightDecay: 0.01f),
        _ => new(name, LearningRate: 0.01f, Beta1: 0.8f, Beta2: 0.99f, Eps: 1e-6f, WeightDecay: 0.05f),
    };

    public static float[] Seeded(int length, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => random.NextSingle() * 4f - 2f)];
    }

    public static float[][] SeededGradients(int length, int steps, int seed) =>
        [.. Enumerable.Range(0, steps).Select(step => Seeded(length, seed + step))];
}
