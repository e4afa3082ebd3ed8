using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Optimizers;
using ScottPlot;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Batch norm in a deep sigmoid network: without it, the gradient shrinks through every saturating layer and
/// SGD barely moves the early ones; with it, every layer's input is re-centred and re-scaled each batch and the
/// same rate trains. Then the two modes of the trained batch-norm model: training mode (each batch's own
/// statistics) against evaluation mode (the running statistics), on the same rows.
/// </summary>
public sealed class BatchNormExperiment : IExperiment
{
    public const int HiddenLayers = 6;
    public const int Width = 128;
    public const float LearningRate = 0.02f;
    public static readonly int[] ModeBatchSizes = [2, 4, 8, 16, 32, 64, 128];
    public static readonly string PlainLayers = LayerStack.Spec(Enumerable.Repeat("sigmoid", HiddenLayers).ToArray(), Width);

    /// <summary>Batch norm between each hidden linear layer and its sigmoid, where it keeps the sigmoid's input centred.</summary>
    public static readonly string BatchNormLayers = LayerStack.Spec(Enumerable.Repeat($"batchnorm:{Width},sigmoid", HiddenLayers).ToArray(), Width);
    private const int BatchSize = 64;

    public string Name => "batchnorm";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public BatchNormFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Batch norm: a deep sigmoid network, and training mode against evaluation mode");
        int samples = context.Pick(2000, 10000, 60000);
        int testSamples = context.Pick(1024, 2048, 10000);
        int epochs = context.Epochs(2, 5, 10);
        var plain = context.Train("plain", Options(context, PlainLayers, samples, testSamples, epochs));
        ModeComparison[] modes = [];
        RowDependence dependence = default;
        int modeRows = 0;
        var normalised = context.Train("batch norm", Options(context, BatchNormLayers, samples, testSamples, epochs), inspect: run =>
        {
            var probe = new BatchNormModes(run.Model);
            int rows = modeRows = Math.Min(run.Test!.Count, 1024) / ModeBatchSizes[^1] * ModeBatchSizes[^1];
            var indices = Enumerable.Range(0, rows).ToArray();
            var labels = run.Test.Labels.AsSpan(0, rows).ToArray();
            modes = ModeBatchSizes.Select(size =>
            {
                var training = probe.Outputs(run.Test, indices, size, training: true);
                var inference = probe.Outputs(run.Test, indices, size, training: false);
                return new ModeComparison(size, MeanAbsoluteDifference(training, inference),
                    (double)run.Loss.CountCorrect(training, labels, run.Model.OutputWidth) / rows,
                    (double)run.Loss.CountCorrect(inference, labels, run.Model.OutputWidth) / rows);
            }).ToArray();
            dependence = RowInTwoBatches(probe, run);
        });

        report.Paragraph($"Two networks of {HiddenLayers} sigmoid hidden layers of {Width} units, the same initial weights, trained by " +
                         $"plain SGD at η = {LabNumber.Rate(LearningRate)} on the same batches; one has a batch-norm layer before each sigmoid. " +
                         "Without it each sigmoid passes back at most a quarter of its gradient, so the first layers learn " +
                         $"almost nothing and the network stays near chance; with it, the same rate trains.");
        report.Table(["network", "η", "final train loss (last epoch's mean)", "test loss", "test accuracy"],
            new[] { plain, normalised }.Select(run => (IReadOnlyList<string>)
            [
                run.Label,
                LabNumber.Rate(LearningRate),
                run.Diverged ? "diverged" : LabNumber.Format(run.LastEpoch?.TrainLoss),
                LabNumber.Format(run.LastEpoch?.TestLoss),
                LabNumber.Format(run.LastEpoch?.TestAccuracy),
            ]));
        int window = Math.Max(1, plain.Curves.Steps.Count / (epochs * 10));
        string loss = LinePlot.Save(report.PlotPath("loss.png"), $"{HiddenLayers} sigmoid layers, SGD η = {LabNumber.Rate(LearningRate)}: training loss",
            "step", $"cross-entropy (mean of the last {window} steps)",
            new[] { plain, normalised }.Select(r => Series.Of(r.Label, MovingMean.Of(r.StepLosses, window))), legend: Alignment.MiddleRight);
        report.Image(loss, "training loss per step, a moving mean over a tenth of an epoch");
        string accuracy = LinePlot.Save(report.PlotPath("accuracy.png"), $"{HiddenLayers} sigmoid layers, SGD η = {LabNumber.Rate(LearningRate)}: test accuracy",
            "epoch", "test accuracy",
            new[] { plain, normalised }.Select(r => Series.Of(r.Label, r.Curves.Epochs.Select(e => e.TestAccuracy ?? double.NaN).ToArray())),
            legend: Alignment.MiddleRight);
        report.Image(accuracy, "test accuracy after each epoch (evaluation mode)");

        report.Paragraph($"**Training mode against evaluation mode.** The trained batch-norm network runs the first {modeRows} test rows both ways, " +
                         "split into batches of the sizes below. In training mode each batch-norm layer normalises with the mean and " +
                         "variance of the batch itself, so a row's output depends on the rows it is batched with, and a batch of 2 " +
                         "normalises every feature to about ±1 whatever the rows are. In evaluation mode it normalises with the running " +
                         "statistics, averages over the training batches, fixed after training: each row's output is a function of that " +
                         "row alone, the same in any batch and for a single row. That is why inference uses evaluation mode: a " +
                         "prediction must not depend on which other requests happen to share its batch, and a single row has no " +
                         "variance to normalise by. The modes differ at every batch size, less the larger the batch: a batch's mean and " +
                         "variance are estimates from its own few rows, the running statistics an average over many batches. (Each " +
                         "training-mode pass would also fold its batch into the running statistics; they were saved and restored around it.)");
        report.Table(["rows per batch", "mean absolute difference of the outputs, train mode − eval mode", "train-mode accuracy", "eval-mode accuracy"],
            modes.Select(m => (IReadOnlyList<string>)
            [
                m.BatchSize.ToString(CultureInfo.InvariantCulture),
                LabNumber.Format(m.MeanAbsoluteDifference),
                LabNumber.Format(m.TrainModeAccuracy),
                LabNumber.Format(m.EvalModeAccuracy),
            ]));
        report.Paragraph($"The same test row in two different batches of {RowDependence.Rows}: its training-mode outputs differ by up to " +
                         $"{LabNumber.Format(dependence.TrainMode)}, its evaluation-mode outputs by {LabNumber.Format(dependence.EvalMode)}.");
        string modesPlot = LinePlot.Save(report.PlotPath("modes.png"), "Trained batch-norm network: accuracy in each mode",
            "log2 of the rows per batch (1: 2 rows, 7: 128 rows)", "test accuracy",
            [
                new Series("training mode (batch statistics)", modes.Select(m => Math.Log2(m.BatchSize)).ToArray(),
                    modes.Select(m => m.TrainModeAccuracy).ToArray()),
                new Series("evaluation mode (running statistics)", modes.Select(m => Math.Log2(m.BatchSize)).ToArray(),
                    modes.Select(m => m.EvalModeAccuracy).ToArray()),
            ], legend: Alignment.LowerRight);
        report.Image(modesPlot, "accuracy of the same test rows in training and evaluation mode, by batch size");

        report.Config("networks", $"`{PlainLayers}` and `{BatchNormLayers}`, PyTorch's default initialisation");
        report.Config("data", $"first {samples} training samples of {context.Images.Train.Name}, batches of {BatchSize}; " +
                              $"test: first {testSamples} test samples");
        report.Config("loss / optimizer", $"cross-entropy / SGD, η = {LabNumber.Rate(LearningRate)}");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));
        var two = modes[0];
        report.Headline = $"At η = {LabNumber.Rate(LearningRate)} the plain {HiddenLayers}-layer sigmoid network stays at test accuracy " +
                          $"{LabNumber.Format(plain.LastEpoch?.TestAccuracy)}, the batch-norm one reaches {LabNumber.Format(normalised.LastEpoch?.TestAccuracy)}; " +
                          $"on the first {modeRows} test rows its accuracy falls to {LabNumber.Format(two.TrainModeAccuracy)} in training mode in " +
                          $"batches of {two.BatchSize} (evaluation mode: {LabNumber.Format(two.EvalModeAccuracy)}, whatever the batch).";
        report.Write();
        return new BatchNormFindings(report, plain, normalised, modes, dependence);
    }

    /// <summary>
    /// Test row 0 batched with rows 1.. and then with other rows: how far its outputs move in each mode.
    /// </summary>
    private static RowDependence RowInTwoBatches(BatchNormModes probe, TrainingRun run)
    {
        int n = RowDependence.Rows;
        int[] first = [.. Enumerable.Range(0, n)];
        int[] second = [0, .. Enumerable.Range(n, n - 1)];
        int width = run.Model.OutputWidth;
        double Moved(bool training)
        {
            var a = probe.Outputs(run.Test!, first, n, training).AsSpan(0, width);
            var b = probe.Outputs(run.Test!, second, n, training).AsSpan(0, width);
            double most = 0;
            for (int i = 0; i < width; i++) most = Math.Max(most, Math.Abs(a[i] - b[i]));
            return most;
        }
        return new RowDependence(Moved(training: true), Moved(training: false));
    }

    private static double MeanAbsoluteDifference(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += Math.Abs(a[i] - b[i]);
        return sum / a.Length;
    }

    private static TrainOptions Options(LabContext context, string layers, int samples, int testSamples, int epochs) =>
        context.ImageTraining with
        {
            Layers = layers,
            Loss = "cross-entropy",
            Optimizer = new OptimizerSettings("sgd", LearningRate: LearningRate),
            BatchSize = BatchSize,
            Epochs = epochs,
            TrainSamples = samples,
            TestSamples = testSamples,
        };

}

/// <summary>The trained batch-norm network's outputs on the same test rows, batched by <see cref="BatchSize"/>, in each mode.</summary>
public sealed record ModeComparison(int BatchSize, double MeanAbsoluteDifference, double TrainModeAccuracy, double EvalModeAccuracy);

/// <summary>The largest change of one row's outputs when the rows batched with it change, in each mode.</summary>
public readonly record struct RowDependence(double TrainMode, double EvalMode)
{
    public const int Rows = 8;
}

public sealed record BatchNormFindings(LabReport Report, LabRun Plain, LabRun BatchNorm, IReadOnlyList<ModeComparison> Modes,
    RowDependence Dependence);
