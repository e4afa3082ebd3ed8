using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn.Init;
using DistTrainer.Core.Nn.Layers;

namespace DistTrainer.Core.Nn;

/// <summary>
/// A model built from a <see cref="ModelSpec"/> on one backend. All trainable values sit in one
/// flat parameter vector (and their gradients in one flat gradient vector) in state_dict order,
/// so an optimizer, a checkpoint or a network transfer handles a single span. Every buffer is
/// allocated here, once, for up to <see cref="MaxRows"/> rows; a step allocates nothing.
/// </summary>
public sealed class Sequential : IDisposable
{
    private readonly DeviceArray _parameters, _gradients, _buffers;
    private readonly DeviceArray[] _activations;
    private readonly DeviceArray _gradientA, _gradientB;

    /// <summary>Where layer i's tensors start in the parameter and buffer vectors; entry i + 1 is where they end.</summary>
    private readonly int[] _parameterOffsets, _bufferOffsets;

    public Sequential(ModelSpec spec, IComputeBackend backend, int maxRows)
    {
        if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows));
        Spec = spec;
        Backend = backend;
        MaxRows = maxRows;
        var layers = new List<Layer>();
        int width = spec.InputWidth;
        foreach (var layerSpec in spec.Layers)
        {
            var layer = layerSpec.Create(width, layers.Count);
            layers.Add(layer);
            width = layer.OutputWidth;
        }
        Layers = layers;
        BatchNormLayers = layers.Select((layer, index) => (index, layer))
            .Where(x => x.layer is BatchNormLayer).Select(x => (x.index, (BatchNormLayer)x.layer)).ToArray();

        var parameters = new List<TensorPlacement>();
        var buffers = new List<TensorPlacement>();
        var parameterOffsets = _parameterOffsets = new int[layers.Count + 1];
        var bufferOffsets = _bufferOffsets = new int[layers.Count + 1];
        for (int i = 0; i < layers.Count; i++)
        {
            parameterOffsets[i + 1] = Place(parameters, i, layers[i].Parameters, parameterOffsets[i]);
            bufferOffsets[i + 1] = Place(buffers, i, layers[i].Buffers, bufferOffsets[i]);
        }
        ParameterLayout = parameters;
        BufferLayout = buffers;
        ParameterCount = parameterOffsets[^1];
        BufferCount = bufferOffsets[^1];

        _parameters = backend.Allocate(Math.Max(1, ParameterCount));
        _gradients = backend.Allocate(Math.Max(1, ParameterCount));
        _buffers = backend.Allocate(Math.Max(1, BufferCount));
        _activations = new DeviceArray[layers.Count + 1];
        int maxWidth = spec.InputWidth;
        _activations[0] = backend.Allocate(maxRows * spec.InputWidth);
        for (int i = 0; i < layers.Count; i++)
        {
            _activations[i + 1] = backend.Allocate(maxRows * layers[i].OutputWidth);
            maxWidth = Math.Max(maxWidth, layers[i].OutputWidth);
        }
        _gradientA = backend.Allocate(maxRows * maxWidth);
        _gradientB = backend.Allocate(maxRows * maxWidth);

        for (int i = 0; i < layers.Count; i++)
        {
            layers[i].Bind(backend,
                _parameters.Slice(parameterOffsets[i], parameterOffsets[i + 1] - parameterOffsets[i]),
                _gradients.Slice(parameterOffsets[i], parameterOffsets[i + 1] - parameterOffsets[i]),
                _buffers.Slice(bufferOffsets[i], bufferOffsets[i + 1] - bufferOffsets[i]),
                maxRows);
        }
    }

    public ModelSpec Spec { get; }
    public IComputeBackend Backend { get; }
    public IReadOnlyList<Layer> Layers { get; }
    public int MaxRows { get; }
    public int InputWidth => Spec.InputWidth;
    public int OutputWidth => Spec.OutputWidth;
    public int ParameterCount { get; }

    /// <summary>The model as a layer spec, e.g. "linear:784:256,relu,linear:256:10".</summary>
    public string Describe() => string.Join(',', Layers.Select(l => l.Describe()));
    public int BufferCount { get; }

    /// <summary>Where each trainable tensor ("0.weight", "1.bias", ...) sits in the parameter vector.</summary>
    public IReadOnlyList<TensorPlacement> ParameterLayout { get; }

    /// <summary>Where each running statistic ("1.running_mean", ...) sits in the buffer vector.</summary>
    public IReadOnlyList<TensorPlacement> BufferLayout { get; }

    public DeviceSlice Parameters => _parameters.Slice(0, ParameterCount);
    public DeviceSlice Gradients => _gradients.Slice(0, ParameterCount);
    public DeviceSlice Buffers => _buffers.Slice(0, BufferCount);

    /// <summary>The input rows of the next forward pass: fill its first rows * InputWidth elements.</summary>
    public DeviceSlice Input(int rows) => _activations[0].Slice(0, rows * InputWidth);

    /// <summary>The model's output of the last forward pass.</summary>
    public DeviceSlice Output(int rows) => _activations[^1].Slice(0, rows * OutputWidth);

    /// <summary>What layer <paramref name="layer"/> output in the last forward pass (its first rows * OutputWidth elements).</summary>
    public DeviceSlice LayerOutput(int layer, int rows) => _activations[layer + 1].Slice(0, rows * Layers[layer].OutputWidth);

    /// <summary>Where the loss writes dLoss/dOutput before <see cref="Backward"/>.</summary>
    public DeviceSlice OutputGradient(int rows) => GradientBuffer(Layers.Count).Slice(0, rows * OutputWidth);

    /// <summary>Draws initial weights from the seed (PyTorch's default or each layer's initialiser) and resets the running statistics.</summary>
    public void Initialize(ulong seed)
    {
        var random = new SeededRandom(seed);
        var parameters = new float[ParameterCount];
        var buffers = new float[BufferCount];
        for (int i = 0; i < Layers.Count; i++)
        {
            Layers[i].Initialize(parameters.AsSpan(_parameterOffsets[i].._parameterOffsets[i + 1]),
                buffers.AsSpan(_bufferOffsets[i].._bufferOffsets[i + 1]), random);
        }
        Backend.Upload(parameters, Parameters);
        Backend.Upload(buffers, Buffers);
    }

    /// <summary>Runs every layer on the first <paramref name="rows"/> rows of <see cref="Input"/>; returns the output.</summary>
    public DeviceSlice Forward(in StepContext context, int rows)
    {
        RequireRows(rows);
        for (int i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            layer.Forward(context, _activations[i].Slice(0, rows * layer.InputWidth),
                _activations[i + 1].Slice(0, rows * layer.OutputWidth), rows);
        }
        return Output(rows);
    }

    /// <summary>
    /// Back-propagates <see cref="OutputGradient"/> through the layers of the last training forward
    /// pass, overwriting <see cref="Gradients"/>. The input's own gradient is never computed.
    /// <paramref name="layerDone"/>, if given, hears each layer's index as soon as its backward is done, last layer first:
    /// from then on its <see cref="LayerGradients"/> are final, while the layers before it are still to run.
    /// </summary>
    public void Backward(int rows, Action<int>? layerDone = null)
    {
        RequireRows(rows);
        for (int i = Layers.Count - 1; i >= 0; i--)
        {
            var layer = Layers[i];
            DeviceSlice? inputGradient = i == 0 ? null : GradientBuffer(i).Slice(0, rows * layer.InputWidth);
            layer.Backward(_activations[i].Slice(0, rows * layer.InputWidth),
                _activations[i + 1].Slice(0, rows * layer.OutputWidth),
                GradientBuffer(i + 1).Slice(0, rows * layer.OutputWidth),
                inputGradient, rows);
            layerDone?.Invoke(i);
        }
    }

    /// <summary>Where layer <paramref name="layer"/>'s parameters start in the parameter vector (<see cref="Layers"/>.Count: its end).</summary>
    public int ParameterOffset(int layer) => _parameterOffsets[layer];

    /// <summary>Layer <paramref name="layer"/>'s part of <see cref="Gradients"/> (empty for a layer without parameters).</summary>
    public DeviceSlice LayerGradients(int layer) =>
        _gradients.Slice(_parameterOffsets[layer], _parameterOffsets[layer + 1] - _parameterOffsets[layer]);

    /// <summary>The batchnorm layers with their index in the model.</summary>
    public IReadOnlyList<(int Index, BatchNormLayer Layer)> BatchNormLayers { get; }

    /// <summary>Routes every batch-norm layer's training statistics through <paramref name="exchange"/> (null: per batch).</summary>
    public void SynchroniseBatchNorm(IBatchStatisticsExchange? exchange)
    {
        for (int i = 0; i < BatchNormLayers.Count; i++)
            BatchNormLayers[i].Layer.Synchronise(exchange, i);
    }

    public void Dispose()
    {
        _parameters.Dispose();
        _gradients.Dispose();
        _buffers.Dispose();
        foreach (var a in _activations) a.Dispose();
        _gradientA.Dispose();
        _gradientB.Dispose();
        foreach (var layer in Layers) layer.Dispose();
    }

    private DeviceArray GradientBuffer(int activationIndex) => activationIndex % 2 == 0 ? _gradientA : _gradientB;

    private void RequireRows(int rows)
    {
        if (rows < 1 || rows > MaxRows)
            throw new ArgumentOutOfRangeException(nameof(rows), $"{rows} rows; this model was built for 1..{MaxRows}");
    }

    private static int Place(List<TensorPlacement> placements, int layerIndex, IReadOnlyList<TensorSpec> tensors, int offset)
    {
        foreach (var tensor in tensors)
        {
            placements.Add(new TensorPlacement($"{layerIndex}.{tensor.Name}", tensor.Shape, offset, tensor.Length));
            offset += tensor.Length;
        }
        return offset;
    }
}
