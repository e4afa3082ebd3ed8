using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Init;

namespace DistTrainer.Core.Nn.Layers;

/// <summary>y = x W^T + b with W stored [out, in], as nn.Linear.</summary>
public sealed class LinearLayer(int inputWidth, int outputWidth, Initializer initializer) : Layer(inputWidth, outputWidth)
{
    private DeviceSlice _weight, _bias, _weightGradient, _biasGradient;

    public Initializer Initializer { get; } = initializer;

    public override string Describe() => Initializer.Kind == InitKind.PyTorchDefault
        ? $"linear:{InputWidth}:{OutputWidth}"
        : $"linear:{InputWidth}:{OutputWidth}:{Initializer}";

    public override IReadOnlyList<TensorSpec> Parameters =>
        [new("weight", [OutputWidth, InputWidth]), new("bias", [OutputWidth])];

    public override void Bind(IComputeBackend backend, DeviceSlice parameters, DeviceSlice gradients, DeviceSlice buffers, int maxRows)
    {
        base.Bind(backend, parameters, gradients, buffers, maxRows);
        int weights = OutputWidth * InputWidth;
        _weight = parameters.Slice(0, weights);
        _bias = parameters.Slice(weights, OutputWidth);
        _weightGradient = gradients.Slice(0, weights);
        _biasGradient = gradients.Slice(weights, OutputWidth);
    }

    public override void Initialize(Span<float> parameters, Span<float> buffers, SeededRandom random)
    {
        int weights = OutputWidth * InputWidth;
        Initializer.Fill(parameters[..weights], parameters.Slice(weights, OutputWidth), InputWidth, OutputWidth, random);
    }

    public override void Forward(in StepContext context, DeviceSlice input, DeviceSlice output, int rows)
    {
        Backend.Gemm(false, true, rows, OutputWidth, InputWidth, 1f, input, _weight, 0f, output);
        Backend.AddRowVector(output, rows, OutputWidth, _bias);
    }

    public override void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows)
    {
        Backend.Gemm(true, false, OutputWidth, InputWidth, rows, 1f, outputGradient, input, 0f, _weightGradient);
        Backend.SumRows(outputGradient, rows, OutputWidth, _biasGradient);
        if (inputGradient is { } dx)
            Backend.Gemm(false, false, rows, InputWidth, OutputWidth, 1f, outputGradient, _weight, 0f, dx);
    }
}
