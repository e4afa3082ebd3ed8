using System.Globalization;
using DistTrainer.Core.Compute;

namespace DistTrainer.Core.Nn.Layers;

/// <summary>An element-wise non-linearity: step, sigmoid, tanh, relu, leaky_relu[:slope].</summary>
public sealed class ActivationLayer(int width, Activation activation) : Layer(width, width)
{
    public Activation Activation { get; } = activation;

    public override string Describe() => Activation.Kind switch
    {
        ActivationKind.Step => "step",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Tanh => "tanh",
        ActivationKind.Relu => "relu",
        _ => string.Create(CultureInfo.InvariantCulture, $"leaky_relu:{Activation.Slope}"),
    };

    public override void Forward(in StepContext context, DeviceSlice input, DeviceSlice output, int rows) =>
        Backend.ActivationForward(Activation, input.Take(rows * InputWidth), output.Take(rows * OutputWidth));

    public override void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows)
    {
        if (inputGradient is not { } dx) return;
        int n = rows * InputWidth;
        Backend.ActivationBackward(Activation, input.Take(n), output.Take(n), outputGradient.Take(n), dx.Take(n));
    }
}
