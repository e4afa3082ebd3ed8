using System.Globalization;
using DistTrainer.Coordinator.Lab.Surfaces;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Optimizers;
using ScottPlot;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// The seven update rules side by side: trained on one network and dataset (loss curves, test accuracy),
/// and followed on 2-D test surfaces where their paths can be drawn: plain SGD crawls along a curved
/// valley that momentum and per-coordinate step sizes cross far faster.
/// </summary>
public sealed class OptimizersExperiment : IExperiment
{
    /// <summary>
    /// Network rates are torch.optim's defaults where it has one (Adagrad, RMSProp, Adadelta, Adam); SGD's
    /// is the usual 0.1 and the momentum methods' 0.01, the same effective step 0.01 / (1 − 0.9). Surface
    /// rates: SGD's and the momentum methods' are about the largest that stays stable across Rosenbrock's
    /// valley at the start (2 / its curvature there, about 1900); Adam and Adagrad move each coordinate by
    /// about their rate per step whatever the gradient's size, so theirs are set by how far a step should
    /// go; RMSProp and Adadelta keep torch's defaults.
    /// </summary>
    public static readonly OptimizerChoice[] Choices =
    [
        new("sgd", "SGD", NetworkRate: 0.1f, SurfaceRate: 0.001f),
        new("momentum", "Momentum", NetworkRate: 0.01f, SurfaceRate: 0.001f),
        new("nag", "NAG", NetworkRate: 0.01f, SurfaceRate: 0.001f),
        new("adagrad", "Adagrad", NetworkRate: 0.01f, SurfaceRate: 0.5f),
        new("rmsprop", "RMSProp", NetworkRate: 0.01f, SurfaceRate: 0.01f),
        new("adadelta", "Adadelta", NetworkRate: 1f, SurfaceRate: 1f),
        new("adam", "Adam", NetworkRate: 0.001f, SurfaceRate: 0.1f),
    ];

    public static readonly ITestSurface[] Surfaces = [new Rosenbrock(), new Beale()];

    public const int SurfaceSteps = 1000;
    private const string Layers = "linear:784:128,relu,linear:128:10";
    private const int BatchSize = 64;

    public string Name => "optimizers";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public OptimizersFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Optimizers: SGD, Momentum, NAG, Adagrad, RMSProp, Adadelta, Adam");
        int samples = context.Pick(1000, 10000, 60000);
        int testSamples = context.Pick(500, 2000, 10000);
        int epochs = context.Epochs(3, 5, 10);
        var runs = Choices.Select(choice => context.Train(choice.Label, context.ImageTraining with
        {
            Layers = Layers,
            Loss = "cross-entropy",
            Optimizer = new OptimizerSettings(choice.Name, LearningRate: choice.NetworkRate),
            BatchSize = BatchSize,
            Epochs = epochs,
            TrainSamples = samples,
            TestSamples = testSamples,
        })).ToArray();

        report.Paragraph($"**On a network.** Every optimizer trains the same model from the same initial weights on the same " +
                         $"mini-batches ({BatchSize} samples, the same shuffled order); only the update rule and its learning rate η differ. " +
                         "Momentum and NAG use momentum 0.9, every other option is torch.optim's default. The highest step loss shows " +
                         "a rate too large for the first steps: the loss overshoots until the rule's running averages settle. A mini-batch " +
                         "loss is noisy, so the curves are moving means.");
        report.Table(["optimizer", "η", "highest step loss (step)", "final train loss (last epoch's mean)", "test accuracy"],
            runs.Select((run, i) => (IReadOnlyList<string>)
            [
                Choices[i].Label,
                LabNumber.Rate(Choices[i].NetworkRate),
                Peak(run),
                run.Diverged ? "diverged" : LabNumber.Format(run.LastEpoch?.TrainLoss),
                run.Diverged ? "–" : LabNumber.Format(run.LastEpoch?.TestAccuracy),
            ]));
        int window = Math.Max(1, runs[0].Curves.Steps.Count / (epochs * 10));
        string loss = LinePlot.Save(report.PlotPath("loss.png"), "Training loss of each optimizer",
            "step", $"cross-entropy (mean of the last {window} steps)",
            runs.Select(r => Series.Of(r.Label, MovingMean.Of(r.StepLosses, window))), logY: true);
        report.Image(loss, "training loss per step, a moving mean over a tenth of an epoch, log scale");
        string accuracy = LinePlot.Save(report.PlotPath("accuracy.png"), "Test accuracy of each optimizer", "epoch", "test accuracy",
            runs.Select(r => Series.Of(r.Label, r.Curves.Epochs.Select(e => e.TestAccuracy ?? double.NaN).ToArray())),
            legend: Alignment.LowerRight);
        report.Image(accuracy, "test accuracy after each epoch");

        var paths = Surfaces.SelectMany(surface => Choices.Select(choice =>
            SurfaceDescent.Follow(surface, choice.Label, new OptimizerSettings(choice.Name, LearningRate: choice.SurfaceRate), SurfaceSteps))).ToArray();
        report.Paragraph($"**On 2-D test surfaces.** Here no network is trained: the same optimizer classes step a vector of two " +
                         $"parameters (x, y) with the analytic gradient of a test function, {SurfaceSteps} steps from a fixed start, so their " +
                         "paths can be drawn over the function's contours. Plain SGD's rate is capped by the steep walls of the valley, " +
                         "so it crawls along its flat floor; momentum accumulates speed along the floor, and the adaptive methods " +
                         "scale each coordinate's step by its own gradient history. SGD, Momentum and NAG share η = 0.001, about the " +
                         "largest rate stable across Rosenbrock's valley at the start (2 / its curvature there, about 1900); Adam and " +
                         "Adagrad move each coordinate by about η per step whatever the gradient's size, so theirs are larger; RMSProp " +
                         "and Adadelta keep torch's defaults. RMSProp divides each gradient by its own recent size, so its steps stay " +
                         "about η long even near the bottom, where f spikes each time a step overshoots.");
        report.Table(["surface", "optimizer", "η", "steps", "final f", "distance to the minimum"],
            paths.Select(p => (IReadOnlyList<string>)
            [
                p.Surface.Name,
                p.Label,
                LabNumber.Rate(p.Settings.LearningRate!.Value),
                p.Diverged ? $"{p.Steps} (diverged)" : p.Steps.ToString(CultureInfo.InvariantCulture),
                LabNumber.Format(p.FinalValue),
                LabNumber.Format(p.DistanceToMinimum),
            ]));
        foreach (var surface in Surfaces)
        {
            var onSurface = paths.Where(p => p.Surface == surface).ToArray();
            string name = surface.Name.ToLowerInvariant();
            string contour = ContourPathPlot.Save(report.PlotPath($"{name}-paths.png"),
                $"{surface.Name}: {SurfaceSteps} steps of each optimizer from ({surface.Start.X:0.##}, {surface.Start.Y:0.##})",
                surface.Value, surface.XRange, surface.YRange, surface.Minimum,
                onSurface.Select(p => new Series($"{p.Label} (η {LabNumber.Rate(p.Settings.LearningRate!.Value)})", p.X, p.Y)));
            report.Image(contour, $"the optimizers' paths on {surface.Formula}, over contours of log10 f");
            string values = LinePlot.Save(report.PlotPath($"{name}-values.png"), $"{surface.Name}: f along each optimizer's path",
                "step", "f(x, y)",
                onSurface.Select(p => Series.Of(p.Label, p.X.Zip(p.Y, surface.Value).ToArray())), logY: true, legend: Alignment.LowerLeft);
            report.Image(values, $"f at each step on {surface.Name}, log scale");
        }

        report.Config("model", $"`{Layers}`, PyTorch's default initialisation, cross-entropy loss");
        report.Config("data", $"first {samples} training samples of {context.Images.Train.Name}, batches of {BatchSize}; " +
                              $"test: first {testSamples} test samples");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));
        report.Config("surfaces", string.Join("; ", Surfaces.Select(s =>
            $"{s.Name}: {s.Formula}, start ({s.Start.X:0.##}, {s.Start.Y:0.##}), minimum ({s.Minimum.X:0.##}, {s.Minimum.Y:0.##})")) +
            $"; {SurfaceSteps} steps, float32 parameters as in training");
        report.Headline = Headline(runs, paths);
        report.Write();
        return new OptimizersFindings(report, runs, paths);
    }

    private static string Headline(IReadOnlyList<LabRun> runs, IReadOnlyList<SurfacePath> paths)
    {
        var trained = runs.Where(r => !r.Diverged && r.LastEpoch?.TestAccuracy is not null).ToArray();
        var best = trained.MaxBy(r => r.LastEpoch!.TestAccuracy);
        var worst = trained.MinBy(r => r.LastEpoch!.TestAccuracy);
        var rosenbrock = paths.Where(p => p.Surface is Rosenbrock).ToArray();
        var closest = rosenbrock.MinBy(p => p.DistanceToMinimum)!;
        var sgd = rosenbrock.First(p => p.Settings.Name == "sgd");
        return $"On the network {best?.Label} reaches the best test accuracy ({LabNumber.Format(best?.LastEpoch?.TestAccuracy)}) and " +
               $"{worst?.Label} the lowest ({LabNumber.Format(worst?.LastEpoch?.TestAccuracy)}); on Rosenbrock's valley {closest.Label} ends " +
               $"{LabNumber.Format(closest.DistanceToMinimum)} from the minimum after {closest.Steps} steps, plain SGD {LabNumber.Format(sgd.DistanceToMinimum)}.";
    }

    /// <summary>The run's largest mini-batch loss and its step: a rate too large for the first steps overshoots there.</summary>
    private static string Peak(LabRun run)
    {
        var peak = run.Curves.Steps.MaxBy(s => s.Loss);
        return $"{LabNumber.Format(peak.Loss)} ({peak.Step})";
    }

}

/// <summary>One optimizer of the experiment: its name for `--optimizer`, its label, and its rate on the network and on the surfaces.</summary>
public sealed record OptimizerChoice(string Name, string Label, float NetworkRate, float SurfaceRate);

/// <summary>The network runs (one per <see cref="OptimizersExperiment.Choices"/>) and the surface paths (each surface, each choice).</summary>
public sealed record OptimizersFindings(LabReport Report, IReadOnlyList<LabRun> Runs, IReadOnlyList<SurfacePath> Paths);
