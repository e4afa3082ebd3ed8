using System.Numerics.Tensors;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// The L2 norm of each linear layer's weight gradient at every step of a run: how much signal reaches
/// each depth of the network. The table for all steps is allocated up front, so a step allocates nothing.
/// </summary>
public sealed class LayerGradientNorms : IGradientObserver
{
    private readonly TensorPlacement[] _weights;
    private readonly double[] _norms;
    private readonly long _capacity;

    /// <summary>
    /// Watches the linear weights of <paramref name="layout"/> (a model's ParameterLayout: the weight
    /// matrices, in model order) for steps 0 to <paramref name="steps"/> - 1.
    /// </summary>
    public LayerGradientNorms(IReadOnlyList<TensorPlacement> layout, long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        _weights = layout.Where(p => p.Shape.Length == 2).ToArray();
        if (_weights.Length == 0) throw new ArgumentException("the layout holds no weight matrix", nameof(layout));
        _capacity = steps;
        _norms = new double[checked((int)(steps * _weights.Length))];
    }

    /// <summary>The watched tensors' names ("0.weight", "2.weight", ...): layer 1 is the first.</summary>
    public IReadOnlyList<string> Names => _weights.Select(w => w.Name).ToArray();

    public int LayerCount => _weights.Length;

    /// <summary>How many steps were seen: one past the highest step number so far.</summary>
    public long Steps { get; private set; }

    public void OnGradients(long step, ReadOnlySpan<float> gradients)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, _capacity);
        var row = _norms.AsSpan((int)step * _weights.Length, _weights.Length);
        for (int i = 0; i < _weights.Length; i++)
            row[i] = TensorPrimitives.Norm(gradients.Slice(_weights[i].Offset, _weights[i].Length));
        Steps = Math.Max(Steps, step + 1);
    }

    /// <summary>The norm of layer <paramref name="layer"/>'s (0-based) weight gradient at <paramref name="step"/>.</summary>
    public double Norm(long step, int layer)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, Steps);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, _weights.Length);
        return _norms[step * _weights.Length + layer];
    }

    /// <summary>One layer's norm at each step seen.</summary>
    public double[] OverSteps(int layer)
    {
        var values = new double[Steps];
        for (long s = 0; s < Steps; s++) values[s] = Norm(s, layer);
        return values;
    }

    /// <summary>Each layer's mean norm over steps <paramref name="first"/> to <paramref name="end"/> - 1.</summary>
    public double[] MeanPerLayer(long first, long end)
    {
        if (first < 0 || end > Steps || end <= first)
            throw new ArgumentOutOfRangeException(nameof(end), $"steps {first}..{end} are not within the {Steps} seen");
        var means = new double[_weights.Length];
        for (int layer = 0; layer < means.Length; layer++)
        {
            double sum = 0;
            for (long s = first; s < end; s++) sum += Norm(s, layer);
            means[layer] = sum / (end - first);
        }
        return means;
    }
}
