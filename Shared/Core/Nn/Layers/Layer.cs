using DistTrainer.Core.Compute;

namespace DistTrainer.Core.Nn.Layers;

/// <summary>
/// One entry of a sequential model. A layer reads [rows, InputWidth] and writes [rows, OutputWidth];
/// its trainable tensors live in slices of the model's flat parameter and gradient vectors, its
/// non-trained state (running statistics) in slices of the model's buffer vector.
/// </summary>
public abstract class Layer : IDisposable
{
    protected Layer(int inputWidth, int outputWidth)
    {
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
    }

    public int InputWidth { get; }
    public int OutputWidth { get; }

    /// <summary>The spec text this layer was made from, e.g. "linear:784:256".</summary>
    public abstract string Describe();

    public virtual IReadOnlyList<TensorSpec> Parameters => [];
    public virtual IReadOnlyList<TensorSpec> Buffers => [];

    /// <summary>
    /// Gives the layer its storage: slices of the model's vectors laid out in the order of
    /// <see cref="Parameters"/> and <see cref="Buffers"/>, and room for up to maxRows rows of
    /// whatever it keeps between forward and backward. Called once per model.
    /// </summary>
    public virtual void Bind(IComputeBackend backend, DeviceSlice parameters, DeviceSlice gradients, DeviceSlice buffers, int maxRows)
    {
        Backend = backend;
    }

    protected IComputeBackend Backend { get; private set; } = null!;

    /// <summary>Writes initial values of the parameters and buffers into the given host spans.</summary>
    public virtual void Initialize(Span<float> parameters, Span<float> buffers, Init.SeededRandom random)
    {
    }

    public abstract void Forward(in StepContext context, DeviceSlice input, DeviceSlice output, int rows);

    /// <summary>
    /// Writes this layer's parameter gradients (overwriting) and, when <paramref name="inputGradient"/>
    /// is given, the gradient with respect to its input. Uses what the last training Forward kept.
    /// </summary>
    public abstract void Backward(DeviceSlice input, DeviceSlice output, DeviceSlice outputGradient, DeviceSlice? inputGradient, int rows);

    /// <summary>Releases the buffers the layer allocated in <see cref="Bind"/>.</summary>
    public virtual void Dispose()
    {
    }
}
