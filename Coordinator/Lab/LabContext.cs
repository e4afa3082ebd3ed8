using System.Diagnostics;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Data;
using DistTrainer.Core.Telemetry.TensorBoard;
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

    /// <summary>The experiment whose models train now; `lab all` moves it on from one experiment to the next.</summary>
    public string Experiment { get; set; } = options.Experiment;

    /// <summary>
    /// The TensorBoard run folder of the model <paramref name="label"/> of the current experiment:
    /// OUT/EXPERIMENT/tensorboard/LABEL, so that `tensorboard --logdir OUT/EXPERIMENT/tensorboard` shows its models side by side.
    /// </summary>
    public string TensorBoardFolder(string label) => Path.Combine(Folder(Experiment), "tensorboard", FolderName(label));

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
    /// built-in sets) or else the image dataset, with its event file in <see cref="TensorBoardFolder"/>, then lets
    /// <paramref name="inspect"/> look at the trained run (its model holds the final weights) before it is released.
    /// </summary>
    public LabRun Train(string label, TrainOptions options, IGradientObserver? gradients = null, Action<TrainingRun>? inspect = null,
        (Dataset Train, Dataset? Test)? data = null)
    {
        var clock = Stopwatch.StartNew();
        string board = TensorBoardFolder(label);
        RemoveEventFiles(board);
        using var run = TrainingRun.Prepare(options with { TensorBoard = board, HistogramEvery = Options.HistogramEvery }, Log,
            data ?? (options.Dataset is null ? Images : null));
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

    /// <summary>A run of the lab again replaces the event files it wrote before, as it replaces the reports; two would show as one curve.</summary>
    private static void RemoveEventFiles(string folder)
    {
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.GetFiles(folder, EventFileWriter.Prefix + "*")) File.Delete(file);
    }

    /// <summary>A label as a folder name: lower case, runs of anything but letters, digits and dots as one dash.</summary>
    private static string FolderName(string label)
    {
        var name = new System.Text.StringBuilder(label.Length);
        foreach (char c in label.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c == '.') name.Append(c);
            else if (name.Length > 0 && name[^1] != '-') name.Append('-');
        }
        return name.ToString().TrimEnd('-');
    }
}
