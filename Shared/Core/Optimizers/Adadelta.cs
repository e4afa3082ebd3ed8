using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.Adadelta: g += wd * p; v = rho * v + (1 - rho) * g * g; delta = sqrt(u + eps) / sqrt(v + eps) * g;
/// u = rho * u + (1 - rho) * delta * delta; p -= lr * delta (torch's lr, default 1, scales the delta).
/// </summary>
internal sealed class Adadelta : Optimizer
{
    private const int SquareAverage = 0;
    private const int AccumulatedDelta = 1;

    private readonly float negativeLearningRate;
    private readonly float rho;
    private readonly float oneMinusRho;
    private readonly float eps;
    private readonly L2Penalty penalty;

    public Adadelta(OptimizerSettings settings, int parameterCount)
        : base(parameterCount, "square_avg", "acc_delta")
    {
        var options = new OptionResolver(settings);
        var rhoDecimal = options.Rho(0.9f);
        negativeLearningRate = (float)-options.LearningRate(1f);
        rho = (float)rhoDecimal;
        oneMinusRho = (float)(1 - rhoDecimal);
        eps = (float)options.Eps(1e-6f);
        penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, Buffer(SquareAverage), Buffer(AccumulatedDelta), this);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule(
        Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> squareAverage, Span<float> accumulatedDelta,
        Adadelta optimizer)
        : IElementwiseRule
    {
        private readonly Span<float> parameters = parameters;
        private readonly ReadOnlySpan<float> gradients = gradients;
        private readonly Span<float> squareAverage = squareAverage;
        private readonly Span<float> accumulatedDelta = accumulatedDelta;
        private readonly L2Penalty penalty = optimizer.penalty;
        private readonly float rho = optimizer.rho;
        private readonly float oneMinusRho = optimizer.oneMinusRho;
        private readonly float eps = optimizer.eps;
        private readonly float negativeLearningRate = optimizer.negativeLearningRate;

        public readonly void ApplyVector(int index)
        {
            var parameter = Elementwise.Load(parameters, index);
            var gradient = penalty.Apply(Elementwise.Load(gradients, index), parameter);
            var rhoVector = new Vector<float>(rho);
            var oneMinusRhoVector = new Vector<float>(oneMinusRho);
            var epsVector = new Vector<float>(eps);
            var average = Elementwise.Load(squareAverage, index) * rhoVector + oneMinusRhoVector * gradient * gradient;
            Elementwise.Store(squareAverage, index, average);
            var std = Vector.SquareRoot(average + epsVector);
            var accumulated = Elementwise.Load(accumulatedDelta, index);
            var delta = Vector.SquareRoot(accumulated + epsVector) / std * gradient;
            Elementwise.Store(accumulatedDelta, index, accumulated * rhoVector + oneMinusRhoVector * delta * delta);
            Elementwise.Store(parameters, index, parameter + new Vector<float>(negativeLearningRate) * delta);
        }

        public readonly void ApplyScalar(int index)
        {
            var gradient = penalty.Apply(gradients[index], parameters[index]);
            var average = squareAverage[index] * rho + oneMinusRho * gradient * gradient;
            squareAverage[index] = average;
            var std = MathF.Sqrt(average + eps);
            var accumulated = accumulatedDelta[index];
            var delta = MathF.Sqrt(accumulated + eps) / std * gradient;
            accumulatedDelta[index] = accumulated * rho + oneMinusRho * delta * delta;
            parameters[index] += negativeLearningRate * delta;
        }
    }
}
