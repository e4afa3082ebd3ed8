using System.Numerics;
using System.Numerics.Tensors;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>Activations and their derivatives, element-wise, as <see cref="Reference.ReferenceBackend"/> defines them.</summary>
internal static class CpuActivations
{
    public static void Forward(Activation activation, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (activation.Kind)
        {
            case ActivationKind.Step:
                ElementWise.Map(new Step(), x, y);
                break;
            case ActivationKind.Sigmoid:
                ElementWise.RequireLength(x.Length, y.Length);
                TensorPrimitives.Sigmoid(x, y);
                break;
            case ActivationKind.Tanh:
                ElementWise.RequireLength(x.Length, y.Length);
                TensorPrimitives.Tanh(x, y);
                break;
            case ActivationKind.Relu:
                ElementWise.Map(new Relu(), x, y);
                break;
            case ActivationKind.LeakyRelu:
                ElementWise.Map(new LeakyRelu(activation.Slope), x, y);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "unknown activation");
        }
    }

    public static void Backward(Activation activation, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (activation.Kind)
        {
            case ActivationKind.Step:
                ElementWise.RequireLength(dy.Length, dx.Length);
                TensorPrimitives.Multiply(dy, 0f, dx);
                break;
            case ActivationKind.Sigmoid:
                ElementWise.Map(new SigmoidDerivative(), y, dy, dx);
                break;
            case ActivationKind.Tanh:
                ElementWise.Map(new TanhDerivative(), y, dy, dx);
                break;
            case ActivationKind.Relu:
                ElementWise.Map(new LeakyReluDerivative(0), x, dy, dx);
                break;
            case ActivationKind.LeakyRelu:
                ElementWise.Map(new LeakyReluDerivative(activation.Slope), x, dy, dx);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation.Kind, "unknown activation");
        }
    }

    private readonly struct Step : IUnaryOperator
    {
        public float Invoke(float x) => x > 0 ? 1 : 0;

        public Vector<float> Invoke(Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
    }

    private readonly struct Relu : IUnaryOperator
    {
        public float Invoke(float x) => x > 0 ? x : 0;

        public Vector<float> Invoke(Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, Vector<float>.Zero);
    }

    /// <summary>x where x &gt; 0, else slope * x.</summary>
    private readonly struct LeakyRelu(float slope) : IUnaryOperator
    {
        public float Invoke(float x) => x > 0 ? x : slope * x;

        public Vector<float> Invoke(Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, x * slope);
    }

    /// <summary>y * (1 - y) * dy.</summary>
    private readonly struct SigmoidDerivative : IBinaryOperator
    {
        public float Invoke(float y, float dy) => y * (1 - y) * dy;

        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) => y * (Vector<float>.One - y) * dy;
    }

    /// <summary>(1 - y * y) * dy.</summary>
    private readonly struct TanhDerivative : IBinaryOperator
    {
        public float Invoke(float y, float dy) => (1 - y * y) * dy;

        public Vector<float> Invoke(Vector<float> y, Vector<float> dy) => (Vector<float>.One - y * y) * dy;
    }

    /// <summary>(x &gt; 0 ? 1 : slope) * dy.</summary>
    private readonly struct LeakyReluDerivative(float slope) : IBinaryOperator
    {
        public float Invoke(float x, float dy) => (x > 0 ? 1 : slope) * dy;

        public Vector<float> Invoke(Vector<float> x, Vector<float> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), Vector<float>.One, new Vector<float>(slope)) * dy;
    }
}
