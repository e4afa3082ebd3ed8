using System.Diagnostics;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;
using Serilog;

namespace DistTrainer.Coordinator.Lab;

/// <summary>
/// What every experiment of one `lab` invocation shares: its options, the image dataset (loaded once),
/// where reports go, and <see cref="Train"/>, which runs the real trainer (one process or the embedded
/// cluster, as --workers says) and keeps the curves.
/// </summary>
public sealed class LabContext(LabOptions options, ILogger log, TextWriter output)
{
    private (Dataset Train, Dataset? Test)? _images;

    public LabOptions Options { get; } = options;
    public LabScale Scale => Options.Scale;
    public ILogger Log { get; } = log;
    public TextWriter Output { get; } = output;

    /// <summary>The image dataset of the experiments: --data-dir when given, else Fashion-MNIST.</summary>
    public (Dataset Train, Dataset? Test) Images => _images ??= DatasetLoader.Load(null, Options.DataDir);

    /// <summary>The experiment's number of epochs at this scale, unless --epochs replaces it.</summary>
    public int Epochs(int tiny, int reduced, int full) => Options.Epochs ?? Pick(tiny, reduced, full);

    public T Pick<T>(T tiny, T reduced, T full) => Scale switch
    {
        LabScale.Tiny => tiny,
        LabScale.Reduced => reduced,
        _ => full,
    };

    /// <summary>The folder of one experiment's report and plots.</summary>
    public string Folder(string experiment) => Path.Combine(Options.Out, experiment);

    /// <summary>
    /// `train` options on the image dataset with the lab's seed, device and workers; the experiment sets
    /// the model, optimizer, loss and size on top.
    /// </summary>
    public TrainOptions ImageTraining => new()
    {
        DataDir = Options.DataDir,
        Seed = Options.Seed,
        Device = Options.Device,
        Threads = Options.Threads,
        Workers = Options.Workers,
    };

    /// <summary>
    /// Trains as `train` would with <paramref name="options"/>, on <paramref name="data"/> when given (the
    /// built-in sets) or else the image dataset, then lets <paramref name="inspect"/> look at the trained
    /// run (its model holds the final weights) before it is released.
    /// </summary>
    public LabRun Train(string label, TrainOptions options, IGradientObserver? gradients = null, Action<TrainingRun>? inspect = null,
        (Dataset Train, Dataset? Test)? data = null)
    {
        var clock = Stopwatch.StartNew();
        using var run = TrainingRun.Prepare(options, Log, data ?? (options.Dataset is null ? Images : null));
        var recorder = new TrainingRecorder();
        var outcome = run.Execute(recorder, Log, CancellationToken.None, gradients);
        inspect?.Invoke(run);
        var result = new LabRun(label, recorder, outcome.Result, clock.Elapsed.TotalSeconds);
        var last = result.LastEpoch;
        Output.WriteLine($"  {label}: {outcome.Result.Steps} steps" +
                         (last is null ? "" : $", train loss {last.TrainLoss:F4}" + (last.TestAccuracy is { } a ? $", test accuracy {a:F4}" : "")) +
                         (result.Diverged ? ", diverged" : "") + $" ({result.Seconds:F1} s)");
        Log.Information("Lab run {Label}: {Steps} steps, failure {Failure}, {Seconds:F1} s", label, outcome.Result.Steps, outcome.Result.Failure, result.Seconds);
        return result;
    }
}
