using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.Adadelta: g += wd * p; v = rho * v + (1 - rho) * g * g; delta = sqrt(u + eps) / sqrt(v + eps) * g;
/// u = rho * u + (1 - rho) * delta * delta; p -= lr * delta (torch's lr, default 1, scales the delta).
/// </summary>
internal sealed class Adadelta : Optimizer
{
    private const int SquareAverage = 0;
    private const int AccumulatedDelta = 1;

    private readonly float _negativeLearningRate;
    private readonly float _rho;
    private readonly float _oneMinusRho;
    private readonly float _eps;
    private readonly L2Penalty _penalty;

    public Adadelta(OptimizerSettings settings, int parameterCount)
        : base(parameterCount, "square_avg", "acc_delta")
    {
        var options = new OptionResolver(settings);
        var rhoDecimal = options.Rho(0.9f);
        _negativeLearningRate = (float)-options.LearningRate(1f);
        _rho = (float)rhoDecimal;
        _oneMinusRho = (float)(1 - rhoDecimal);
        _eps = (float)options.Eps(1e-6f);
        _penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, state[SquareAverage], state[AccumulatedDelta], this);
        Elementwise.Apply(ref rule, gradients.Length, mode);
    }

    private ref struct Rule(
        InOut parameters, ReadOnlySpan<float> gradients, InOut squareAverage, InOut accumulatedDelta,
        Adadelta optimizer)
        : IElementwiseRule
    {
        private readonly InOut _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;
        private readonly InOut _squareAverage = squareAverage;
        private readonly InOut _accumulatedDelta = accumulatedDelta;
        private readonly L2Penalty _penalty = optimizer._penalty;
        private readonly float _rho = optimizer._rho;
        private readonly float _oneMinusRho = optimizer._oneMinusRho;
        private readonly float _eps = optimizer._eps;
        private readonly float _negativeLearningRate = optimizer._negativeLearningRate;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyVector(int index)
        {
            var parameter = _parameters.Load(index);
            var gradient = _penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            var rhoVector = new Vector<float>(_rho);
            var oneMinusRhoVector = new Vector<float>(_oneMinusRho);
            var epsVector = new Vector<float>(_eps);
            var average = _squareAverage.Load(index) * rhoVector + oneMinusRhoVector * gradient * gradient;
            _squareAverage.Store(index, average);
            var std = Vector.SquareRoot(average + epsVector);
            var accumulated = _accumulatedDelta.Load(index);
            var delta = Vector.SquareRoot(accumulated + epsVector) / std * gradient;
            _accumulatedDelta.Store(index, accumulated * rhoVector + oneMinusRhoVector * delta * delta);
            _parameters.Store(index, parameter + new Vector<float>(_negativeLearningRate) * delta);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyScalar(int index)
        {
            var gradient = _penalty.Apply(_gradients[index], _parameters[index]);
            var average = _squareAverage[index] * _rho + _oneMinusRho * gradient * gradient;
            _squareAverage[index] = average;
            var std = MathF.Sqrt(average + _eps);
            var accumulated = _accumulatedDelta[index];
            var delta = MathF.Sqrt(accumulated + _eps) / std * gradient;
            _accumulatedDelta[index] = accumulated * _rho + _oneMinusRho * delta * delta;
            _parameters[index] += _negativeLearningRate * delta;
        }
    }
}
