using DistTrainer.Core.Optimizers;

namespace DistTrainer.Benchmarks;

/// <summary>
/// What the refusal of a non-finite step costs, in the parameter server and in one process alike: an optimizer step alone
/// (in place) against the same step through <see cref="FiniteStepGuard"/> (the gradient checked finite, the step written
/// beside the weights and state and checked, a block at a time), on the default MLP's 270,346 parameters (--parameters)
/// with Adam (--optimizer). Median microseconds per step.
/// </summary>
public static class OptimizerGuardBenchmark
{
    public static int Run(BenchmarkArguments options)
    {
        int parameters = options.Int("--parameters", 270_346);
        int steps = options.Int("--steps", 500);
        string name = options.String("--optimizer", "adam");
        var random = new Random(1);
        float[] gradients = Enumerable.Range(0, parameters).Select(_ => (float)(random.NextDouble() - 0.5) * 1e-3f).ToArray();

        var plain = OptimizerFactory.Create(new OptimizerSettings(name), parameters);
        float[] plainWeights = new float[parameters];
        double alone = Statistics.MedianMicroseconds(steps, () => plain.Step(plainWeights, gradients));

        var guarded = OptimizerFactory.Create(new OptimizerSettings(name), parameters);
        var guard = new FiniteStepGuard(guarded);
        float[] guardedWeights = new float[parameters], next = new float[parameters];
        double withGuard = Statistics.MedianMicroseconds(steps, () =>
        {
            guard.TryStep(guardedWeights, gradients, next, out _);
            (guardedWeights, next) = (next, guardedWeights);
        });

        Console.WriteLine($"{name}, {parameters:N0} parameters ({parameters * 4 / 1e6:F2} MB), median of {steps} steps:");
        Console.WriteLine($"  step alone        {alone:F1} us");
        Console.WriteLine($"  step with guard   {withGuard:F1} us  (+{withGuard - alone:F1} us)");
        return 0;
    }

}
