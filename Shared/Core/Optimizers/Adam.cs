using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.Adam, and with decoupled weight decay torch.optim.AdamW (which first does p *= 1 - lr * wd):
/// m = b1 * m + (1 - b1) * g; v = b2 * v + (1 - b2) * g * g;
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). Adam adds wd * p to g instead.
/// </summary>
internal sealed class Adam : Optimizer
{
    private const int ExpAvg = 0;
    private const int ExpAvgSq = 1;

    private readonly double _learningRate;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly float _eps;
    private readonly L2Penalty _penalty;
    private readonly float _decayFactor;

    public Adam(OptimizerSettings settings, int parameterCount, bool decoupledWeightDecay)
        : base(parameterCount, "exp_avg", "exp_avg_sq")
    {
        var options = new OptionResolver(settings);
        _learningRate = options.LearningRate(1e-3f);
        _beta1 = options.Beta1(0.9f);
        _beta2 = options.Beta2(0.999f);
        _eps = (float)options.Eps(1e-8f);
        var weightDecay = options.WeightDecay(decoupledWeightDecay ? 1e-2f : 0f);
        _penalty = new L2Penalty(decoupledWeightDecay ? 0f : (float)weightDecay);
        // Multiplying by exactly 1 leaves every weight as it is, so Adam shares the AdamW rule.
        _decayFactor = decoupledWeightDecay ? (float)(1 - _learningRate * weightDecay) : 1f;
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, state[ExpAvg], state[ExpAvgSq], this);
        Elementwise.Apply(ref rule, gradients.Length, mode);
    }

    private ref struct Rule : IElementwiseRule
    {
        private readonly InOut _parameters;
        private readonly ReadOnlySpan<float> _gradients;
        private readonly InOut _expAvg;
        private readonly InOut _expAvgSq;
        private readonly L2Penalty _penalty;
        private readonly float _decayFactor;
        private readonly float _beta1;
        private readonly float _oneMinusBeta1;
        private readonly float _beta2;
        private readonly float _oneMinusBeta2;
        private readonly float _biasCorrection2Sqrt;
        private readonly float _negativeStepSize;
        private readonly float _eps;

        public Rule(
            InOut parameters, ReadOnlySpan<float> gradients, InOut expAvg, InOut expAvgSq, Adam optimizer)
        {
            this._parameters = parameters;
            this._gradients = gradients;
            this._expAvg = expAvg;
            this._expAvgSq = expAvgSq;
            _penalty = optimizer._penalty;
            _decayFactor = optimizer._decayFactor;
            _eps = optimizer._eps;
            _beta1 = (float)optimizer._beta1;
            _oneMinusBeta1 = (float)(1 - optimizer._beta1);
            _beta2 = (float)optimizer._beta2;
            _oneMinusBeta2 = (float)(1 - optimizer._beta2);
            // As torch: bias corrections and step size in double, then each rounded once to float32.
            double step = optimizer.StepCount;
            _biasCorrection2Sqrt = (float)Math.Sqrt(1 - Math.Pow(optimizer._beta2, step));
            _negativeStepSize = (float)-(optimizer._learningRate / (1 - Math.Pow(optimizer._beta1, step)));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyVector(int index)
        {
            var parameter = _parameters.Load(index) * new Vector<float>(_decayFactor);
            var gradient = _penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            var mean = _expAvg.Load(index) * new Vector<float>(_beta1) + new Vector<float>(_oneMinusBeta1) * gradient;
            var square = _expAvgSq.Load(index) * new Vector<float>(_beta2)
                + new Vector<float>(_oneMinusBeta2) * gradient * gradient;
            _expAvg.Store(index, mean);
            _expAvgSq.Store(index, square);
            var denominator = Vector.SquareRoot(square) / new Vector<float>(_biasCorrection2Sqrt) + new Vector<float>(_eps);
            _parameters.Store(index, parameter + new Vector<float>(_negativeStepSize) * mean / denominator);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyScalar(int index)
        {
            var parameter = _parameters[index] * _decayFactor;
            var gradient = _penalty.Apply(_gradients[index], parameter);
            var mean = _expAvg[index] * _beta1 + _oneMinusBeta1 * gradient;
            var square = _expAvgSq[index] * _beta2 + _oneMinusBeta2 * gradient * gradient;
            _expAvg[index] = mean;
            _expAvgSq[index] = square;
            var denominator = MathF.Sqrt(square) / _biasCorrection2Sqrt + _eps;
            _parameters[index] = parameter + _negativeStepSize * mean / denominator;
        }
    }
}
