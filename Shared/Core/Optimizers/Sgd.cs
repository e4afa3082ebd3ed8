using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>torch.optim.SGD without momentum: p -= lr * (g + wd * p). torch has no default lr; DistTrainer uses 0.01.</summary>
internal sealed class Sgd : Optimizer
{
    private readonly float _negativeLearningRate;
    private readonly L2Penalty _penalty;

    public Sgd(OptimizerSettings settings, int parameterCount)
        : base(parameterCount)
    {
        var options = new OptionResolver(settings);
        _negativeLearningRate = (float)-options.LearningRate(0.01f);
        _penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, _penalty, _negativeLearningRate);
        Elementwise.Apply(ref rule, gradients.Length, mode);
    }

    private ref struct Rule(InOut parameters, ReadOnlySpan<float> gradients, L2Penalty penalty, float negativeLearningRate)
        : IElementwiseRule
    {
        private readonly InOut _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyVector(int index)
        {
            var parameter = _parameters.Load(index);
            var gradient = penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            _parameters.Store(index, parameter + new Vector<float>(negativeLearningRate) * gradient);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyScalar(int index)
        {
            var gradient = penalty.Apply(_gradients[index], _parameters[index]);
            _parameters[index] += negativeLearningRate * gradient;
        }
    }
}
