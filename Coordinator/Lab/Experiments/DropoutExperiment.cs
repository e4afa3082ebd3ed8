using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Data;
using DistTrainer.Core.Optimizers;
using DistTrainer.Core.Training;
using ScottPlot;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Over-fitting and dropout: a wide network trained for many epochs on a small subset memorises it (train
/// accuracy near 1, test accuracy far below); the same network with dropout fits the subset more slowly and
/// generalises at least as well, so the gap between train and test accuracy narrows.
/// </summary>
public sealed class DropoutExperiment : IExperiment
{
    public const string PlainLayers = "linear:784:512,relu,linear:512:512,relu,linear:512:10";

    /// <summary>Srivastava et al.'s usual rate on each hidden layer; a model cannot start with dropout, so the inputs keep theirs.</summary>
    public const string DropoutLayers = "linear:784:512,relu,dropout:0.5,linear:512:512,relu,dropout:0.5,linear:512:10";

    private const int BatchSize = 50;
    private const float LearningRate = 0.001f;

    public string Name => "dropout";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public DropoutFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Dropout: over-fitting a small training set, with and without dropout");
        int samples = context.Pick(500, 1000, 2000);
        int testSamples = context.Pick(1000, 2000, 10000);
        int epochs = context.Epochs(20, 40, 60);
        var subset = context.Images.Train.Head(samples);
        var plain = Net(context, "no dropout", PlainLayers, samples, testSamples, epochs, subset);
        var dropout = Net(context, "dropout", DropoutLayers, samples, testSamples, epochs, subset);

        report.Paragraph($"A network far larger than its data ({samples} training samples, two hidden layers of 512) trained for " +
                         $"{epochs} epochs with Adam. Train accuracy is the model's accuracy on its own training samples in inference " +
                         "mode (dropout off): the trainer scores one dataset after each epoch, so each network is trained twice from the " +
                         "same seed, on the same batches, one run scored on the training subset and one on the test set. Training is " +
                         "deterministic, so both runs follow the same weights. Dropout (p = 0.5 after each hidden layer) zeroes a random " +
                         "half of the hidden units at every step and scales the rest by 2, so no unit can rely on particular others; " +
                         "at inference every unit is kept.");
        report.Table(["network", "final train accuracy", "test accuracy", "gap", "best test accuracy (epoch)", "final test loss"],
            new[] { plain, dropout }.Select(net => (IReadOnlyList<string>)
            [
                net.Label,
                LabNumber.Format(net.TrainAccuracy),
                LabNumber.Format(net.TestAccuracy),
                LabNumber.Format(net.Gap),
                $"{LabNumber.Format(net.BestTestAccuracy)} ({net.BestEpoch})",
                LabNumber.Format(net.Test.LastEpoch?.TestLoss),
            ]));
        string accuracy = LinePlot.Save(report.PlotPath("accuracy.png"), "Train and test accuracy, with and without dropout",
            "epoch", "accuracy", new[] { plain, dropout }.SelectMany(net => new[]
            {
                Series.Of($"{net.Label}: train", Scores(net.Train, e => e.TestAccuracy)),
                Series.Of($"{net.Label}: test", Scores(net.Test, e => e.TestAccuracy)),
            }), legend: Alignment.LowerRight);
        report.Image(accuracy, "accuracy on the training subset and on the test set after each epoch");
        string loss = LinePlot.Save(report.PlotPath("loss.png"), "Train and test loss, with and without dropout",
            "epoch", "cross-entropy", new[] { plain, dropout }.SelectMany(net => new[]
            {
                Series.Of($"{net.Label}: train", Scores(net.Train, e => e.TestLoss)),
                Series.Of($"{net.Label}: test", Scores(net.Test, e => e.TestLoss)),
            }), logY: true, legend: Alignment.LowerLeft);
        report.Image(loss, "loss on the training subset and on the test set after each epoch, log scale: the test loss of the " +
                           "over-fitting network climbs while its training loss falls");

        report.Config("networks", $"`{PlainLayers}` and `{DropoutLayers}`, PyTorch's default initialisation");
        report.Config("data", $"first {samples} training samples of {context.Images.Train.Name}, batches of {BatchSize}; " +
                              $"test: first {testSamples} test samples");
        report.Config("loss / optimizer", $"cross-entropy / Adam, η = {LabNumber.Rate(LearningRate)}");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));
        report.Headline = $"Without dropout the network reaches train accuracy {LabNumber.Format(plain.TrainAccuracy)} with a gap of " +
                          $"{LabNumber.Format(plain.Gap)} to its test accuracy; dropout narrows the gap to {LabNumber.Format(dropout.Gap)} " +
                          $"(test accuracy {LabNumber.Format(plain.TestAccuracy)} → {LabNumber.Format(dropout.TestAccuracy)}, test loss " +
                          $"{LabNumber.Format(plain.Test.LastEpoch?.TestLoss)} → {LabNumber.Format(dropout.Test.LastEpoch?.TestLoss)}).";
        report.Write();
        return new DropoutFindings(report, plain, dropout);
    }

    private static DropoutNet Net(LabContext context, string label, string layers, int samples, int testSamples, int epochs,
        Dataset subset)
    {
        var options = context.ImageTraining with
        {
            Layers = layers,
            Loss = "cross-entropy",
            Optimizer = new OptimizerSettings("adam", LearningRate: LearningRate),
            BatchSize = BatchSize,
            Epochs = epochs,
            TrainSamples = samples,
            TestSamples = testSamples,
        };
        var train = context.Train($"{label}, scored on the training subset", options, data: (subset, subset));
        var test = context.Train($"{label}, scored on the test set", options);
        return new DropoutNet(label, train, test);
    }

    private static double[] Scores(LabRun run, Func<EpochReport, double?> score) =>
        run.Curves.Epochs.Select(e => score(e) ?? double.NaN).ToArray();
}

/// <summary>
/// One network of the experiment: <see cref="Train"/> scored the training subset after each epoch,
/// <see cref="Test"/> (the same training) the test set.
/// </summary>
public sealed record DropoutNet(string Label, LabRun Train, LabRun Test)
{
    public double TrainAccuracy => Train.LastEpoch?.TestAccuracy ?? double.NaN;
    public double TestAccuracy => Test.LastEpoch?.TestAccuracy ?? double.NaN;
    public double Gap => TrainAccuracy - TestAccuracy;
    public double BestTestAccuracy => Test.Curves.Epochs.Max(e => e.TestAccuracy ?? 0);
    public int BestEpoch => Test.Curves.Epochs.MaxBy(e => e.TestAccuracy ?? 0)!.Epoch;
}

public sealed record DropoutFindings(LabReport Report, DropoutNet Plain, DropoutNet Dropout);
