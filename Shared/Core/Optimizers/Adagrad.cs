using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.Adagrad with lr_decay 0 and initial_accumulator_value 0:
/// g += wd * p; sum += g * g; p -= lr * g / (sqrt(sum) + eps).
/// </summary>
internal sealed class Adagrad : Optimizer
{
    private const int Sum = 0;

    private readonly float negativeLearningRate;
    private readonly float eps;
    private readonly L2Penalty penalty;

    public Adagrad(OptimizerSettings settings, int parameterCount)
        : base(parameterCount, "sum")
    {
        var options = new OptionResolver(settings);
        negativeLearningRate = (float)-options.LearningRate(0.01f);
        eps = (float)options.Eps(1e-10f);
        penalty = new L2Penalty((float)options.WeightDecay(0f));
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        var rule = new Rule(parameters, gradients, Buffer(Sum), this);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> sum, Adagrad optimizer)
        : IElementwiseRule
    {
        private readonly Span<float> parameters = parameters;
        private readonly ReadOnlySpan<float> gradients = gradients;
        private readonly Span<float> sum = sum;
        private readonly L2Penalty penalty = optimizer.penalty;
        private readonly float eps = optimizer.eps;
        private readonly float negativeLearningRate = optimizer.negativeLearningRate;

        public readonly void ApplyVector(int index)
        {
            var parameter = Elementwise.Load(parameters, index);
            var gradient = penalty.Apply(Elementwise.Load(gradients, index), parameter);
            var accumulated = Elementwise.Load(sum, index) + gradient * gradient;
            Elementwise.Store(sum, index, accumulated);
            var std = Vector.SquareRoot(accumulated) + new Vector<float>(eps);
            Elementwise.Store(parameters, index, parameter + new Vector<float>(negativeLearningRate) * gradient / std);
        }

        public readonly void ApplyScalar(int index)
        {
            var gradient = penalty.Apply(gradients[index], parameters[index]);
            var accumulated = sum[index] + gradient * gradient;
            sum[index] = accumulated;
            var std = MathF.Sqrt(accumulated) + eps;
            parameters[index] += negativeLearningRate * gradient / std;
        }
    }
}
