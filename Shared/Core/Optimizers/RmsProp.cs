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

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, int offset, ElementwiseMode mode)
    {
        var momentumBuffer = StateNames.Count > MomentumBuffer ? Buffer(MomentumBuffer, offset, parameters.Length) : [];
        var rule = new Rule(parameters, gradients, Buffer(SquareAverage, offset, parameters.Length), momentumBuffer, this);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule(
        Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> squareAverage, Span<float> momentumBuffer,
        RmsProp optimizer)
        : IElementwiseRule
    {
        private readonly Span<float> _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;
        private readonly Span<float> _squareAverage = squareAverage;
        private readonly Span<float> _momentumBuffer = momentumBuffer;
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
            var parameter = Elementwise.Load(_parameters, index);
            var gradient = _penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            var average = Elementwise.Load(_squareAverage, index) * new Vector<float>(_alpha)
                + new Vector<float>(_oneMinusAlpha) * gradient * gradient;
            Elementwise.Store(_squareAverage, index, average);
            var denominator = Vector.SquareRoot(average) + new Vector<float>(_eps);
            var negativeLearningRateVector = new Vector<float>(_negativeLearningRate);
            if (_withMomentum)
            {
                var velocity = Elementwise.Load(_momentumBuffer, index) * new Vector<float>(_momentum) + gradient / denominator;
                Elementwise.Store(_momentumBuffer, index, velocity);
                Elementwise.Store(_parameters, index, parameter + negativeLearningRateVector * velocity);
            }
            else
            {
                Elementwise.Store(_parameters, index, parameter + negativeLearningRateVector * gradient / denominator);
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
