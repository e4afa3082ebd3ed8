using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>torch.optim.SGD without momentum: p -= lr * (g + wd * p). torch has no default lr; DistTrainer uses 0.01.</summary>
internal sealed class Sgd : Optimizer
{
    private readonly float negativeLearningRate;
    private readonly L2Penalty penalty;

    public Sgd(OptimizerSettings settings, int parameterCount)
        : base(parameterCount)
    {
        var options = new OptionResolver(settings);
        negativeLearningRate = (float)-options.LearningRate(0.01f);
        penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, penalty, negativeLearningRate);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule(Span<float> parameters, ReadOnlySpan<float> gradients, L2Penalty penalty, float negativeLearningRate)
        : IElementwiseRule
    {
        private readonly Span<float> parameters = parameters;
        private readonly ReadOnlySpan<float> gradients = gradients;

        public readonly void ApplyVector(int index)
        {
            var parameter = Elementwise.Load(parameters, index);
            var gradient = penalty.Apply(Elementwise.Load(gradients, index), parameter);
            Elementwise.Store(parameters, index, parameter + new Vector<float>(negativeLearningRate) * gradient);
        }

        public readonly void ApplyScalar(int index)
        {
            var gradient = penalty.Apply(gradients[index], parameters[index]);
            parameters[index] += negativeLearningRate * gradient;
        }
    }
}
