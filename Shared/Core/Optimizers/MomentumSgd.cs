using System.Numerics;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.SGD with momentum (dampening 0), heavy-ball ("momentum") or Nesterov ("nag"):
/// d = g + wd * p; buf = d on the first step, else momentum * buf + d; p -= lr * (nesterov ? d + momentum * buf : buf).
/// </summary>
internal sealed class MomentumSgd : Optimizer
{
    private const int MomentumBuffer = 0;

    private readonly float negativeLearningRate;
    private readonly float momentum;
    private readonly L2Penalty penalty;
    private readonly bool nesterov;

    public MomentumSgd(OptimizerSettings settings, int parameterCount, bool nesterov)
        : base(parameterCount, "momentum_buffer")
    {
        var options = new OptionResolver(settings);
        negativeLearningRate = (float)-options.LearningRate(0.01f);
        momentum = (float)options.Momentum(0.9f, positive: nesterov);
        penalty = new L2Penalty((float)options.WeightDecay(0f));
        this.nesterov = nesterov;
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, ElementwiseMode mode)
    {
        // torch creates the buffer on the first step as a copy of the gradient; StepCount tells that step even
        // after a checkpoint restore, where the buffer array already exists.
        var rule = new Rule(parameters, gradients, Buffer(MomentumBuffer), this, firstStep: StepCount == 1);
        Elementwise.Apply(ref rule, parameters.Length, mode);
    }

    private ref struct Rule(
        Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> buffer, MomentumSgd optimizer, bool firstStep)
        : IElementwiseRule
    {
        private readonly Span<float> parameters = parameters;
        private readonly ReadOnlySpan<float> gradients = gradients;
        private readonly Span<float> buffer = buffer;
        private readonly L2Penalty penalty = optimizer.penalty;
        private readonly float momentum = optimizer.momentum;
        private readonly float negativeLearningRate = optimizer.negativeLearningRate;
        private readonly bool nesterov = optimizer.nesterov;

        public readonly void ApplyVector(int index)
        {
            var parameter = Elementwise.Load(parameters, index);
            var gradient = penalty.Apply(Elementwise.Load(gradients, index), parameter);
            var momentumVector = new Vector<float>(momentum);
            var velocity = firstStep ? gradient : Elementwise.Load(buffer, index) * momentumVector + gradient;
            Elementwise.Store(buffer, index, velocity);
            var direction = nesterov ? gradient + momentumVector * velocity : velocity;
            Elementwise.Store(parameters, index, parameter + new Vector<float>(negativeLearningRate) * direction);
        }

        public readonly void ApplyScalar(int index)
        {
            var gradient = penalty.Apply(gradients[index], parameters[index]);
            var velocity = firstStep ? gradient : buffer[index] * momentum + gradient;
            buffer[index] = velocity;
            var direction = nesterov ? gradient + momentum * velocity : velocity;
            parameters[index] += negativeLearningRate * direction;
        }
    }
}
