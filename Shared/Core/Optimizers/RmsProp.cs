using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.RMSprop, not centered: g += wd * p; v = alpha * v + (1 - alpha) * g * g; avg = sqrt(v) + eps;
/// with momentum, buf = momentum * buf + g / avg (zeros to start) and p -= lr * buf, else p -= lr * g / avg.
/// </summary>
internal sealed class RmsProp : Optimizer
{
    private const int SquareAverage = 0;
    private const int MomentumBuffer = 1;

    private readonly float _negativeLearningRate;
    private readonly float _alpha;
    private readonly float _oneMinusAlpha;
    private readonly float _eps;
    private readonly float _momentum;
    private readonly L2Penalty _penalty;

    public RmsProp(OptimizerSettings settings, int parameterCount)
        : this(new OptionResolver(settings), parameterCount, settings.Momentum is > 0f)
    {
    }

    // torch keeps a momentum buffer only when momentum > 0; so do the state names a checkpoint sees.
    private RmsProp(OptionResolver options, int parameterCount, bool withMomentum)
        : base(parameterCount, withMomentum ? ["square_avg", "momentum_buffer"] : ["square_avg"])
    {
        var alphaDecimal = options.Alpha(0.99f);
        _negativeLearningRate = (float)-options.LearningRate(0.01f);
        _alpha = (float)alphaDecimal;
        _oneMinusAlpha = (float)(1 - alphaDecimal);
        _eps = (float)options.Eps(1e-8f);
        _momentum = (float)options.Momentum(0f);
        _penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, state[SquareAverage], state.OrEmpty(MomentumBuffer), this);
        Elementwise.Apply(ref rule, gradients.Length, mode);
    }

    private ref struct Rule(
        InOut parameters, ReadOnlySpan<float> gradients, InOut squareAverage, InOut momentumBuffer,
        RmsProp optimizer)
        : IElementwiseRule
    {
        private readonly InOut _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;
        private readonly InOut _squareAverage = squareAverage;
        private readonly InOut _momentumBuffer = momentumBuffer;
        private readonly L2Penalty _penalty = optimizer._penalty;
        private readonly float _alpha = optimizer._alpha;
        private readonly float _oneMinusAlpha = optimizer._oneMinusAlpha;
        private readonly float _eps = optimizer._eps;
        private readonly float _momentum = optimizer._momentum;
        private readonly float _negativeLearningRate = optimizer._negativeLearningRate;
        private readonly bool _withMomentum = !momentumBuffer.IsEmpty;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyVector(int index)
        {
            var parameter = _parameters.Load(index);
            var gradient = _penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            var average = _squareAverage.Load(index) * new Vector<float>(_alpha)
                + new Vector<float>(_oneMinusAlpha) * gradient * gradient;
            _squareAverage.Store(index, average);
            var denominator = Vector.SquareRoot(average) + new Vector<float>(_eps);
            var negativeLearningRateVector = new Vector<float>(_negativeLearningRate);
            if (_withMomentum)
            {
                var velocity = _momentumBuffer.Load(index) * new Vector<float>(_momentum) + gradient / denominator;
                _momentumBuffer.Store(index, velocity);
                _parameters.Store(index, parameter + negativeLearningRateVector * velocity);
            }
            else
            {
                _parameters.Store(index, parameter + negativeLearningRateVector * gradient / denominator);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyScalar(int index)
        {
            var gradient = _penalty.Apply(_gradients[index], _parameters[index]);
            var average = _squareAverage[index] * _alpha + _oneMinusAlpha * gradient * gradient;
            _squareAverage[index] = average;
            var denominator = MathF.Sqrt(average) + _eps;
            if (_withMomentum)
            {
                var velocity = _momentumBuffer[index] * _momentum + gradient / denominator;
                _momentumBuffer[index] = velocity;
                _parameters[index] += _negativeLearningRate * velocity;
            }
            else
            {
                _parameters[index] += _negativeLearningRate * gradient / denominator;
            }
        }
    }
}
