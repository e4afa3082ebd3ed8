using DistTrainer.Core.Compute;

namespace DistTrainer.Core.Nn.Layers;

/// <summary>Row-wise softmax (nn.Softmax(dim=1)).</summary>
public sealed class SoftmaxLayer(int width) : Layer(width, width)
{
    public override string Describe() => "softmax";

    public override void Forward(in StepContext context, DeviceSlice input, DeviceSlice output, int rows) =>
        Backend.SoftmaxForward(input, output, rows, InputWidth);

    public override void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows)
    {
        if (inputGradient is { } dx)
            Backend.SoftmaxBackward(output, outputGradient, dx, rows, InputWidth);
    }
}
