using DistTrainer.Core.Optimizers;
using DistTrainer.Nn;

namespace DistTrainer.Optim;

/// <summary>
/// A torch.optim optimizer over a model's parameters, stepping with the engine's update rule, the one the CLI's runs
/// use: <see cref="Step"/> reads the gradients of the last backward pass, updates a host copy of the weights with the
/// rule and puts them back on the model's backend, as the CLI's local step does.
/// </summary>
public abstract class Optimizer
{
    private readonly Sequential _model;
    private readonly float[] _gradients;

    private protected Optimizer(Parameters parameters, OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _model = parameters.Model;
        Engine = OptimizerFactory.Create(settings, parameters.Count);
        _gradients = new float[parameters.Count];
    }

    /// <summary>The engine's optimizer name: "sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam" or "adamw".</summary>
    public string Name => Engine.Name;

    /// <summary>The hyperparameters in use, torch's defaults filled in.</summary>
    public OptimizerSettings Settings => Engine.ResolvedSettings;

    /// <summary>Steps taken so far (torch's state["step"]); a checkpoint saves and restores it.</summary>
    public long StepCount => Engine.StepCount;

    internal IOptimizer Engine { get; }

    /// <summary>Zeroes the model's gradients.</summary>
    public void ZeroGrad() => _model.ZeroGrad();

    /// <summary>Applies one update from the gradients of the last <see cref="LossValue.Backward"/>.</summary>
    public void Step()
    {
        var core = _model.Core;
        var parameters = _model.HostParameters();
        core.Backend.Download(core.Gradients, _gradients);
        Engine.Step(parameters, _gradients);
        core.Backend.Upload(parameters, core.Parameters);
    }

    /// <summary>A torch hyperparameter, given as a double, as the float32 the engine takes.</summary>
    private protected static float? Single(double? value) => value is { } v ? (float)v : null;
}
