using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.RMSprop, not centered: g += wd * p; v = alpha * v + (1 - alpha) * g * g; avg = sqrt(v) + eps;
/// with momentum, buf = momentum * buf + g / avg (zeros to start) and p -= lr * buf, else p -= lr * g / avg.
/// </summary>
internal sealed class RmsProp : Optimizer
{
    private const int SquareAverage = 0;
    private const int MomentumBuffer = 1;

    private readonly float negativeLearningRate;
    private readonly float alpha;
    private readonly float oneMinusAlpha;
    private readonly float eps;
    private readonly float momentum;
    private readonly L2Penalty penalty;

    public RmsProp(OptimizerSettings settings, int parameterCount)
        : this(new OptionResolver(settings), parameterCount, settings.Momentum is > 0f)
    {
    }

    // torch keeps a momentum buffer only when momentum > 0; so do the state names a checkpoint sees.
    private RmsProp(OptionResolver options, int parameterCount, bool withMomentum)
        : base(parameterCount, withMomentum ? ["square_avg", "momentum_buffer"] : ["square_avg"])
    {
        var alphaDecimal = options.Alpha(0.99f);
        negativeLearningRate = (float)-options.LearningRate(0.01f);
        alpha = (float)alphaDecimal;
        oneMinusAlpha = (float)(1 - alphaDecimal);
        eps = (float)options.Eps(1e-8f);
        momentum = (float)options.Momentum(0f);
        penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        var momentumBuffer = StateNames.Count > MomentumBuffer ? Buffer(MomentumBuffer) : [];
        var rule = new Rule(parameters, gradients, Buffer(SquareAverage), momentumBuffer, this);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule(
        Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> squareAverage, Span<float> momentumBuffer,
        RmsProp optimizer)
        : IElementwiseRule
    {
        private readonly Span<float> parameters = parameters;
        private readonly ReadOnlySpan<float> gradients = gradients;
        private readonly Span<float> squareAverage = squareAverage;
        private readonly Span<float> momentumBuffer = momentumBuffer;
        private readonly L2Penalty penalty = optimizer.penalty;
        private readonly float alpha = optimizer.alpha;
        private readonly float oneMinusAlpha = optimizer.oneMinusAlpha;
        private readonly float eps = optimizer.eps;
        private readonly float momentum = optimizer.momentum;
        private readonly float negativeLearningRate = optimizer.negativeLearningRate;
        private readonly bool withMomentum = !momentumBuffer.IsEmpty;

        public readonly void ApplyVector(int index)
        {
            var parameter = Elementwise.Load(parameters, index);
            var gradient = penalty.Apply(Elementwise.Load(gradients, index), parameter);
            var average = Elementwise.Load(squareAverage, index) * new Vector<float>(alpha)
                + new Vector<float>(oneMinusAlpha) * gradient * gradient;
            Elementwise.Store(squareAverage, index, average);
            var denominator = Vector.SquareRoot(average) + new Vector<float>(eps);
            var negativeLearningRateVector = new Vector<float>(negativeLearningRate);
            if (withMomentum)
            {
                var velocity = Elementwise.Load(momentumBuffer, index) * new Vector<float>(momentum) + gradient / denominator;
                Elementwise.Store(momentumBuffer, index, velocity);
                Elementwise.Store(parameters, index, parameter + negativeLearningRateVector * velocity);
            }
            else
            {
                Elementwise.Store(parameters, index, parameter + negativeLearningRateVector * gradient / denominator);
            }
        }

        public readonly void ApplyScalar(int index)
        {
            var gradient = penalty.Apply(gradients[index], parameters[index]);
            var average = squareAverage[index] * alpha + oneMinusAlpha * gradient * gradient;
            squareAverage[index] = average;
            var denominator = MathF.Sqrt(average) + eps;
            if (withMomentum)
            {
                var velocity = momentumBuffer[index] * momentum + gradient / denominator;
                momentumBuffer[index] = velocity;
                parameters[index] += negativeLearningRate * velocity;
            }
            else
            {
                parameters[index] += negativeLearningRate * gradient / denominator;
            }
        }
    }
}
