using System.Numerics;

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

    private readonly double learningRate;
    private readonly double beta1;
    private readonly double beta2;
    private readonly float eps;
    private readonly L2Penalty penalty;
    private readonly float decayFactor;

    public Adam(OptimizerSettings settings, int parameterCount, bool decoupledWeightDecay)
        : base(parameterCount, "exp_avg", "exp_avg_sq")
    {
        var options = new OptionResolver(settings);
        learningRate = options.LearningRate(1e-3f);
        beta1 = options.Beta1(0.9f);
        beta2 = options.Beta2(0.999f);
        eps = (float)options.Eps(1e-8f);
        var weightDecay = options.WeightDecay(decoupledWeightDecay ? 1e-2f : 0f);
        penalty = new L2Penalty(decoupledWeightDecay ? 0f : (float)weightDecay);
        // Multiplying by exactly 1 leaves every weight as it is, so Adam shares the AdamW rule.
        decayFactor = decoupledWeightDecay ? (float)(1 - learningRate * weightDecay) : 1f;
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, Buffer(ExpAvg), Buffer(ExpAvgSq), this);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule : IElementwiseRule
    {
        private readonly Span<float> parameters;
        private readonly ReadOnlySpan<float> gradients;
        private readonly Span<float> expAvg;
        private readonly Span<float> expAvgSq;
        private readonly L2Penalty penalty;
        private readonly float decayFactor;
        private readonly float beta1;
        private readonly float oneMinusBeta1;
        private readonly float beta2;
        private readonly float oneMinusBeta2;
        private readonly float biasCorrection2Sqrt;
        private readonly float negativeStepSize;
        private readonly float eps;

        public Rule(
            Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> expAvg, Span<float> expAvgSq, Adam optimizer)
        {
            this.parameters = parameters;
            this.gradients = gradients;
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            penalty = optimizer.penalty;
            decayFactor = optimizer.decayFactor;
            eps = optimizer.eps;
            beta1 = (float)optimizer.beta1;
            oneMinusBeta1 = (float)(1 - optimizer.beta1);
            beta2 = (float)optimizer.beta2;
            oneMinusBeta2 = (float)(1 - optimizer.beta2);
            // As torch: bias corrections and step size in double, then each rounded once to float32.
            double step = optimizer.StepCount;
            biasCorrection2Sqrt = (float)Math.Sqrt(1 - Math.Pow(optimizer.beta2, step));
            negativeStepSize = (float)-(optimizer.learningRate / (1 - Math.Pow(optimizer.beta1, step)));
        }

        public readonly void ApplyVector(int index)
        {
            var parameter = Elementwise.Load(parameters, index) * new Vector<float>(decayFactor);
            var gradient = penalty.Apply(Elementwise.Load(gradients, index), parameter);
            var mean = Elementwise.Load(expAvg, index) * new Vector<float>(beta1) + new Vector<float>(oneMinusBeta1) * gradient;
            var square = Elementwise.Load(expAvgSq, index) * new Vector<float>(beta2)
                + new Vector<float>(oneMinusBeta2) * gradient * gradient;
            Elementwise.Store(expAvg, index, mean);
            Elementwise.Store(expAvgSq, index, square);
            var denominator = Vector.SquareRoot(square) / new Vector<float>(biasCorrection2Sqrt) + new Vector<float>(eps);
            Elementwise.Store(parameters, index, parameter + new Vector<float>(negativeStepSize) * mean / denominator);
        }

        public readonly void ApplyScalar(int index)
        {
            var parameter = parameters[index] * decayFactor;
            var gradient = penalty.Apply(gradients[index], parameter);
            var mean = expAvg[index] * beta1 + oneMinusBeta1 * gradient;
            var square = expAvgSq[index] * beta2 + oneMinusBeta2 * gradient * gradient;
            expAvg[index] = mean;
            expAvgSq[index] = square;
            var denominator = MathF.Sqrt(square) / biasCorrection2Sqrt + eps;
            parameters[index] = parameter + negativeStepSize * mean / denominator;
        }
    }
}
