using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;
using DistTrainer.Nn;
using Serilog;
using Serilog.Core;

namespace DistTrainer.Training;

/// <summary>
/// Runs the CLI's `train` from code: the same <see cref="TrainOptions"/> (the command line's options, cluster ones
/// included in <see cref="TrainOptions.Cluster"/>) and the same code, <see cref="TrainingRun"/>: in this process with
/// <c>Workers = 0</c>, on an embedded cluster of in-process workers with <c>Workers = k</c>, or on a running cluster
/// with <c>Cluster.SeedNodes</c>. `train` itself starts its runs through <see cref="Prepare"/> and <see cref="Fit(TrainingRun, ITrainingObserver, CancellationToken)"/>.
/// </summary>
public sealed class Trainer
{
    private readonly ILogger _log;

    /// <summary>A trainer of runs as <paramref name="options"/> describe them, logging to <paramref name="log"/> (default: nowhere).</summary>
    public Trainer(TrainOptions options, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _log = log ?? Logger.None;
    }

    /// <summary>What the runs train, on what and where.</summary>
    public TrainOptions Options { get; }

    /// <summary>
    /// Builds the run: data (loaded as the options name it, unless given), model, optimizer, backend. Dispose it after
    /// <see cref="Fit(TrainingRun, ITrainingObserver, CancellationToken)"/>; its model then holds the final weights.
    /// </summary>
    public TrainingRun Prepare((Dataset Train, Dataset? Test)? data = null) => TrainingRun.Prepare(Options, _log, data);

    /// <summary>
    /// Trains a prepared run to its end (or until <paramref name="stop"/>, between two steps) and writes the --save
    /// checkpoint when the options ask for one; <paramref name="observer"/> hears every step and epoch.
    /// </summary>
    public RunOutcome Fit(TrainingRun run, ITrainingObserver observer, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Execute(observer, _log, stop);
    }

    /// <summary>Prepares a run of the options' own model and data, trains it and releases it.</summary>
    public RunOutcome Fit(ITrainingObserver? observer = null, CancellationToken stop = default)
    {
        using var run = Prepare();
        return Fit(run, observer ?? new TrainingRecorder(), stop);
    }

    /// <summary>
    /// Trains <paramref name="model"/> from its current weights on <paramref name="train"/> (scored on
    /// <paramref name="test"/> after each epoch) with the options' optimizer, batch size, length, seed (data order and
    /// dropout) and placement, then puts the final weights into it. On a cluster the workers load the dataset the
    /// options name themselves, so the sets given must be that one (the cluster checks their fingerprint).
    /// </summary>
    public RunOutcome Fit(Sequential model, Dataset train, Dataset? test = null, ITrainingObserver? observer = null,
        CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var trainer = new Trainer(Options with { Layers = model.Describe(), InitFrom = null, Resume = null }, _log);
        using var run = trainer.Prepare((train, test));
        ModelState.Copy(model.Core, run.Model);
        var outcome = trainer.Fit(run, observer ?? new TrainingRecorder(), stop);
        ModelState.Copy(run.Model, model.Core);
        model.ParametersChanged();
        return outcome;
    }
}
