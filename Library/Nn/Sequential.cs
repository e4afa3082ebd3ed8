using DistTrainer.Core.Compute;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using Serilog.Core;

namespace DistTrainer.Nn;

/// <summary>
/// nn.Sequential over the engine's model: the modules become layers "0", "1", ... on one backend, initialised from
/// <see cref="ModelOptions.Seed"/> exactly as the CLI initialises a model with that seed. <see cref="Forward"/> runs
/// in training mode until <see cref="Eval"/>. Gradients are not accumulated: each <see cref="LossValue.Backward"/>
/// overwrites them, as if <see cref="Optim.Optimizer.ZeroGrad"/> always came before it.
/// </summary>
public sealed class Sequential : IDisposable
{
    private readonly IComputeBackend _backend;
    private readonly float[] _hostParameters;
    private bool _hostParametersCurrent;

    /// <summary>A model of <paramref name="modules"/> with the default <see cref="ModelOptions"/>.</summary>
    public Sequential(params Module[] modules)
        : this(new ModelOptions(), modules)
    {
    }

    /// <summary>A model of <paramref name="modules"/>, built and initialised as <paramref name="options"/> say.</summary>
    public Sequential(ModelOptions options, params Module[] modules)
        : this(ModelSpec.Parse(string.Join(',', modules.Select(m => m.Entry)), option: "Sequential"), options)
    {
    }

    internal Sequential(ModelSpec spec, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _backend = BackendFactory.Create(options.Device, options.Threads, Logger.None);
        try
        {
            Core = new Core.Nn.Sequential(spec, _backend, options.MaxRows);
            Core.Initialize(options.Seed);
            Targets = new LossTargets(Core);
        }
        catch
        {
            Core?.Dispose();
            _backend.Dispose();
            throw;
        }
        _hostParameters = new float[Core.ParameterCount];
    }

    /// <summary>A model from the CLI's --layers text, e.g. "linear:784:256,relu,linear:256:10".</summary>
    public static Sequential FromLayers(string layers, ModelOptions? options = null) =>
        new(ModelSpec.Parse(layers, option: "layers"), options ?? new ModelOptions());

    /// <summary>How the model was built.</summary>
    public ModelOptions Options { get; }

    /// <summary>Whether <see cref="Forward"/> trains (batch statistics, dropout) or evaluates; true until <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>
    /// The step the next training forward pass counts as: with the seed it draws the dropout masks, as the CLI's
    /// step does. Each training <see cref="Forward"/> advances it; loading a checkpoint with its optimizer sets it
    /// to the optimizer's step count.
    /// </summary>
    public long Step { get; set; }

    /// <summary>The number of trainable values.</summary>
    public int ParameterCount => Core.ParameterCount;

    /// <summary>The compute backend the model runs on, e.g. "cpu (avx2, 8 threads)".</summary>
    public string Backend => _backend.Name;

    /// <summary>The engine's model, for code that drives it directly (the Trainer, checkpoints).</summary>
    internal Core.Nn.Sequential Core { get; }

    internal LossTargets Targets { get; }

    /// <summary>Counts forward passes, so that an output knows when a later pass overwrote it.</summary>
    internal long ForwardCount { get; private set; }

    /// <summary>Whether the last forward pass trained, which <see cref="LossValue.Backward"/> needs.</summary>
    internal bool LastForwardTrained { get; private set; }

    /// <summary>The model as the CLI's --layers text, e.g. "linear:784:256,relu,linear:256:10".</summary>
    public string Describe() => Core.Describe();

    /// <summary>Puts the model in training mode (or evaluation mode when <paramref name="mode"/> is false); returns it.</summary>
    public Sequential Train(bool mode = true)
    {
        Training = mode;
        return this;
    }

    /// <summary>Puts the model in evaluation mode: running statistics in batch norm, no dropout. Returns it.</summary>
    public Sequential Eval() => Train(false);

    /// <summary>
    /// Runs the model on <paramref name="input"/> ([rows, inFeatures], rows up to <see cref="ModelOptions.MaxRows"/>).
    /// The output is a view of the model's output buffer, valid until the next forward pass.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int rows = input.Rows;
        if (input.Columns != Core.InputWidth)
            throw new ArgumentException($"input of shape [{string.Join(", ", input.Shape)}]: the model takes {Core.InputWidth} features a row", nameof(input));
        if (rows < 1 || rows > Core.MaxRows)
            throw new ArgumentException($"input of {rows} rows: the model was built for 1..{Core.MaxRows} (ModelOptions.MaxRows)", nameof(input));
        if (input.Device is null) _backend.Upload(input.HostSpan, Core.Input(rows));
        else _backend.Upload(input.ToArray(), Core.Input(rows));
        var context = Training ? new StepContext(true, Step, Options.Seed, 0) : StepContext.Inference;
        var output = Core.Forward(context, rows);
        ForwardCount++;
        LastForwardTrained = Training;
        if (Training) Step++;
        return new Tensor(this, output, rows, Core.OutputWidth, ForwardCount);
    }

    /// <summary>The model's trainable values, for an optimizer (torch's model.parameters()).</summary>
    public Parameters Parameters() => new(this);

    /// <summary>
    /// A copy of every tensor in torch's state_dict order and names: "0.weight", "0.bias", "1.running_mean", ...,
    /// and each batch norm's "num_batches_tracked" as a scalar (exact up to 2^24 batches).
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict() => ModelState.Read(Core);

    /// <summary>Loads every tensor <see cref="StateDict"/> names (num_batches_tracked may be absent); refuses a missing, misshapen or foreign one.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ModelState.Write(Core, stateDict);
        ParametersChanged();
    }

    /// <summary>Zeroes the gradients (the engine's backward pass overwrites them anyway).</summary>
    internal void ZeroGrad() => _backend.Fill(Core.Gradients, 0f);

    /// <summary>The host copy of the parameters an optimizer steps, read from the backend only when something else changed them.</summary>
    internal float[] HostParameters()
    {
        if (!_hostParametersCurrent) _backend.Download(Core.Parameters, _hostParameters);
        _hostParametersCurrent = true;
        return _hostParameters;
    }

    /// <summary>Tells the model that its parameters on the backend changed other than through <see cref="HostParameters"/>.</summary>
    internal void ParametersChanged() => _hostParametersCurrent = false;

    /// <summary>Releases the model's buffers and its backend.</summary>
    public void Dispose()
    {
        Targets.Dispose();
        Core.Dispose();
        _backend.Dispose();
    }
}
