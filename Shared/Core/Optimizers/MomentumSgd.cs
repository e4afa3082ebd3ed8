using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch.optim.SGD with momentum (dampening 0), heavy-ball ("momentum") or Nesterov ("nag"):
/// d = g + wd * p; buf = d on the first step, else momentum * buf + d; p -= lr * (nesterov ? d + momentum * buf : buf).
/// </summary>
internal sealed class MomentumSgd : Optimizer
{
    private const int MomentumBuffer = 0;

    private readonly float _negativeLearningRate;
    private readonly float _momentum;
    private readonly L2Penalty _penalty;
    private readonly bool _nesterov;

    public MomentumSgd(OptimizerSettings settings, int parameterCount, bool nesterov)
        : base(parameterCount, "momentum_buffer")
    {
        var options = new OptionResolver(settings);
        _negativeLearningRate = (float)-options.LearningRate(0.01f);
        _momentum = (float)options.Momentum(0.9f, positive: nesterov);
        _penalty = new L2Penalty((float)options.WeightDecay(0f));
        this._nesterov = nesterov;
        ResolvedSettings = options.Resolved();
    }

    public override OptimizerSettings ResolvedSettings { get; }

    protected override void Update(InOut parameters, ReadOnlySpan<float> gradients, StateRange state, ElementwiseMode mode)
    {
        // torch creates the buffer on the first step as a copy of the gradient; StepCount tells that step even
        // after a checkpoint restore, where the buffer array already exists.
        var rule = new Rule(parameters, gradients, state[MomentumBuffer], this, firstStep: StepCount == 1);
        Elementwise.Apply(ref rule, gradients.Length, mode);
    }

    private ref struct Rule(
        InOut parameters, ReadOnlySpan<float> gradients, InOut buffer, MomentumSgd optimizer, bool firstStep)
        : IElementwiseRule
    {
        private readonly InOut _parameters = parameters;
        private readonly ReadOnlySpan<float> _gradients = gradients;
        private readonly InOut _buffer = buffer;
        private readonly L2Penalty _penalty = optimizer._penalty;
        private readonly float _momentum = optimizer._momentum;
        private readonly float _negativeLearningRate = optimizer._negativeLearningRate;
        private readonly bool _nesterov = optimizer._nesterov;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyVector(int index)
        {
            var parameter = _parameters.Load(index);
            var gradient = _penalty.Apply(Elementwise.Load(_gradients, index), parameter);
            var momentumVector = new Vector<float>(_momentum);
            var velocity = firstStep ? gradient : _buffer.Load(index) * momentumVector + gradient;
            _buffer.Store(index, velocity);
            var direction = _nesterov ? gradient + momentumVector * velocity : velocity;
            _parameters.Store(index, parameter + new Vector<float>(_negativeLearningRate) * direction);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void ApplyScalar(int index)
        {
            var gradient = _penalty.Apply(_gradients[index], _parameters[index]);
            var velocity = firstStep ? gradient : _buffer[index] * _momentum + gradient;
            _buffer[index] = velocity;
            var direction = _nesterov ? gradient + _momentum * velocity : velocity;
            _parameters[index] += _negativeLearningRate * direction;
        }
    }
}
