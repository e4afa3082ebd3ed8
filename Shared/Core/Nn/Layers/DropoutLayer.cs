using System.Globalization;
using DistTrainer.Core.Compute;

namespace DistTrainer.Core.Nn.Layers;

/// <summary>
/// Inverted dropout (nn.Dropout): in training each element is kept with probability 1 - p and
/// scaled by 1 / (1 - p); at inference it passes through. The mask is a function of (seed, step,
/// layer, global element index), so it does not depend on the backend or on sharding.
/// </summary>
public sealed class DropoutLayer(int width, float probability, int layerIndex) : Layer(width, width)
{
    private DeviceArray? _mask;

    public float Probability { get; } = probability;

    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"dropout:{Probability}");

    public override void Bind(IComputeBackend backend, DeviceSlice parameters, DeviceSlice gradients, DeviceSlice buffers, int maxRows)
    {
        base.Bind(backend, parameters, gradients, buffers, maxRows);
        _mask = backend.Allocate(maxRows * InputWidth);
    }

    public override void Forward(in StepContext context, DeviceSlice input, DeviceSlice output, int rows)
    {
        int n = rows * InputWidth;
        if (!context.Training || Probability == 0)
        {
            Backend.Copy(input.Take(n), output.Take(n));
            if (context.Training) Backend.Fill(_mask!.Slice(0, n), 1f);
            return;
        }
        ulong seed = CounterRng.Derive(context.Seed, context.Step, layerIndex);
        Backend.DropoutForward(input, rows, InputWidth, context.RowOffset, Probability, seed, _mask!.Slice(0, n), output);
    }

    public override void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows)
    {
        if (inputGradient is not { } dx) return;
        int n = rows * InputWidth;
        Backend.Multiply(outputGradient.Take(n), _mask!.Slice(0, n), dx.Take(n));
    }

    public override void Dispose() => _mask?.Dispose();
}
