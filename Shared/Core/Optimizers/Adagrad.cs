using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.Adagrad with lr_decay 0 and initial_accumulator_value 0:
/// g += wd * p; sum += g * g; p -= lr * g / (sqrt(sum) + eps).
/// </summary>
internal sealed class Adagrad : Optimizer
{
    private const int Sum = 0;

    private readonly float _negativeLearningRate;
    private readonly float _eps;
    private readonly L2Penalty _penalty;

    public Adagrad(OptimizerSettings settings, int parameterCount)
        : base(parameterCount, "sum")
    {
        var options = new OptionResolver(settings);
        _negativeLearningRate = (float)-options.LearningRate(0.01f);
        _eps = (float)options.Eps(1e-10f);
        _penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, state[Sum], this);
        Elementwise.Apply(ref rule, gradients.Length, mode);
    }

    private ref struct Rule(InOut parameters, ReadOnlySpan<float> gradients, InOut sum, Adagrad optimizer)
        : IElementwiseRule
    {
        private readonly InOut _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;
        private readonly InOut _sum = sum;
        private readonly L2Penalty _penalty = optimizer._penalty;
        private readonly float _eps = optimizer._eps;
        private readonly float _negativeLearningRate = optimizer._negativeLearningRate;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyVector(int index)
        {
            var parameter = _parameters.Load(index);
            var gradient = _penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            var accumulated = _sum.Load(index) + gradient * gradient;
            _sum.Store(index, accumulated);
            var std = Vector.SquareRoot(accumulated) + new Vector<float>(_eps);
            _parameters.Store(index, parameter + new Vector<float>(_negativeLearningRate) * gradient / std);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyScalar(int index)
        {
            var gradient = _penalty.Apply(_gradients[index], _parameters[index]);
            var accumulated = _sum[index] + gradient * gradient;
            _sum[index] = accumulated;
            var std = MathF.Sqrt(accumulated) + _eps;
            _parameters[index] += _negativeLearningRate * gradient / std;
        }
    }
}
