using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Optimizers;
using ScottPlot;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// One classifier trained with everything equal but the loss: mean squared error between its softmax
/// probabilities and the one-hot target, and cross-entropy. Through a softmax the squared error's gradient
/// carries the softmax's slope p (1 − p), which is small exactly when the network is confidently wrong, while
/// cross-entropy's gradient is p − y, as large as the mistake; so cross-entropy learns faster. A third run,
/// MSE at ten times the learning rate, tells that apart from the mere scale of MSE's gradient.
/// </summary>
public sealed class LossesExperiment : IExperiment
{
    private const string Classifier = "linear:784:64,relu,linear:64:10";
    private const float LearningRate = 0.01f;
    private const float Momentum = 0.9f;
    private const int BatchSize = 64;

    /// <summary>The test accuracies whose first epoch the table reports.</summary>
    public static readonly double[] Targets = [0.7, 0.8];

    /// <summary>
    /// The runs: MSE and cross-entropy at the same η, and MSE at ten times η, which for SGD with momentum is the
    /// same as summing the squared error over the ten outputs instead of averaging it: it tells how much of the
    /// gap is only the scale of MSE's gradient.
    /// </summary>
    public static readonly IReadOnlyList<LossVariant> Variants =
    [
        new("mse", "mse", Classifier + ",softmax"),
        new("mse, η × 10", "mse", Classifier + ",softmax", 10),
        new("cross-entropy", "cross-entropy", Classifier),
    ];

    public string Name => "losses";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public LossesFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Losses: mean squared error against cross-entropy");
        int trainSamples = context.Pick(1000, 10000, 60000);
        int testSamples = context.Pick(500, 2000, 10000);
        int epochs = context.Epochs(8, 15, 20);
        var runs = Variants.Select(v => context.Train(v.Label, context.ImageTraining with
        {
            Layers = v.Layers,
            Loss = v.Loss,
            Optimizer = new OptimizerSettings("momentum", LearningRate: LearningRate * v.RateFactor, Momentum: Momentum),
            BatchSize = BatchSize,
            Epochs = epochs,
            TrainSamples = trainSamples,
            TestSamples = testSamples,
        })).ToArray();

        report.Paragraph("The same network, initial weights, data, batches and optimizer, trained once per loss. For MSE the " +
                         "network ends in a softmax and the loss compares its probabilities with the one-hot target; cross-entropy " +
                         "takes the logits and applies the softmax itself. Both losses then judge the same probabilities, so the " +
                         "loss is the only difference (MSE on the raw outputs would instead regress class scores onto 0 and 1, a " +
                         "different model). Why cross-entropy wins: its gradient with respect to the logits is p − y, as large as " +
                         "the mistake, while the squared error's passes through the softmax's slope, which vanishes where the " +
                         "network is confidently wrong, so MSE creeps out of a bad start. As in PyTorch, MSE is also the mean over " +
                         "all ten outputs of a row (cross-entropy the mean over rows), which makes its gradient ten times smaller " +
                         "at the same η. The run at η × 10 removes that factor (with SGD and momentum, ten times η is exactly " +
                         "the squared error summed over the outputs): the difference left between it and cross-entropy is the " +
                         "softmax's slope alone.");
        report.Table(["loss", .. Targets.Select(t => $"first epoch with test accuracy ≥ {Format(t)}"), "final test accuracy", "final train loss"],
            runs.Select(run => (IReadOnlyList<string>)
            [
                run.Label,
                .. Targets.Select(t => FirstEpochReaching(run, t) is { } epoch ? epoch.ToString(CultureInfo.InvariantCulture) : $"not within {epochs}"),
                Format(run.LastEpoch?.TestAccuracy),
                Format(run.LastEpoch?.TrainLoss),
            ]));
        string accuracy = LinePlot.Save(report.PlotPath("accuracy.png"), "MSE against cross-entropy: test accuracy", "epoch",
            "test accuracy", runs.Select(r => Series.Of(r.Label, r.Curves.Epochs.Select(e => e.TestAccuracy ?? double.NaN).ToArray())),
            legend: Alignment.MiddleRight);
        report.Image(accuracy, "test accuracy after each epoch");
        string loss = LinePlot.Save(report.PlotPath("loss.png"), "MSE against cross-entropy: training loss relative to the start",
            "epoch", "mean training loss / initial loss", runs.Select(RelativeLoss));
        report.Image(loss, "each epoch's mean training loss divided by the untrained network's (epoch 0): the two losses have different scales");

        report.Config("model", $"`{Classifier}` (with `softmax` appended for MSE), PyTorch's default initialisation");
        report.Config("data", $"first {trainSamples} training samples of {context.Images.Train.Name}, first {testSamples} test samples");
        report.Config("optimizer", $"SGD with momentum {Format(Momentum)}, η = {Format(LearningRate)}, batch size {BatchSize}");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));
        var (mse, scaledMse, crossEntropy) = (runs[0], runs[1], runs[2]);
        report.Headline = $"At the same η cross-entropy learns much faster than MSE on softmax outputs (test accuracy " +
                          $"{Format(crossEntropy.LastEpoch?.TestAccuracy)} against {Format(mse.LastEpoch?.TestAccuracy)} after {epochs} epochs); " +
                          $"MSE at η × 10 reaches {Format(scaledMse.LastEpoch?.TestAccuracy)}.";
        report.Write();
        return new LossesFindings(report, mse, scaledMse, crossEntropy);
    }

    /// <summary>The first epoch (counting from 1) after which the test accuracy reached <paramref name="target"/>, if any.</summary>
    public static int? FirstEpochReaching(LabRun run, double target) =>
        run.Curves.Epochs.FirstOrDefault(e => e.TestAccuracy >= target)?.Epoch;

    /// <summary>The run's loss curve by epoch, 1 at epoch 0 (the first step's loss, before any update).</summary>
    private static Series RelativeLoss(LabRun run)
    {
        double start = run.StepLosses[0];
        return new Series(run.Label, [0, .. run.Curves.Epochs.Select(e => (double)e.Epoch)],
            [1, .. run.Curves.Epochs.Select(e => e.TrainLoss / start)]);
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "–";
}

/// <summary>One run of the experiment: its label, loss, layers and learning rate as a multiple of the shared one.</summary>
public sealed record LossVariant(string Label, string Loss, string Layers, float RateFactor = 1);

/// <summary>The runs of the experiment: MSE, MSE at ten times the learning rate, cross-entropy.</summary>
public sealed record LossesFindings(LabReport Report, LabRun Mse, LabRun ScaledMse, LabRun CrossEntropy);
