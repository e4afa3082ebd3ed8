using ILGPU;

namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// Element-wise activations. The kind travels as an int: every thread of a launch takes the same
/// branch, so one kernel serves all kinds without divergence.
/// </summary>
internal static class ActivationKernels
{
    public static void Forward(Index1D i, ArrayView<float> x, ArrayView<float> y, int kind, float slope)
    {
        float v = x[i];
        y[i] = (ActivationKind)kind switch
        {
            ActivationKind.Step => v > 0 ? 1f : 0f,
            ActivationKind.Sigmoid => DeviceMath.Sigmoid(v),
            ActivationKind.Tanh => DeviceMath.Tanh(v),
            ActivationKind.Relu => v > 0 ? v : 0f,
            _ => v > 0 ? v : slope * v,
        };
    }

    public static void Backward(Index1D i, ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx,
        int kind, float slope)
    {
        float derivative = (ActivationKind)kind switch
        {
            ActivationKind.Step => 0f,
            ActivationKind.Sigmoid => y[i] * (1f - y[i]),
            ActivationKind.Tanh => 1f - y[i] * y[i],
            ActivationKind.Relu => x[i] > 0 ? 1f : 0f,
            _ => x[i] > 0 ? 1f : slope,
        };
        dx[i] = derivative * dy[i];
    }
}
