using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Activation functions: a network of two hidden layers with no activation, sigmoid or ReLU after each,
/// all nine pairs. Without any activation the layers compose to one linear map, so however long it trains
/// it is logistic regression; an activation after either layer makes the model non-linear.
/// </summary>
public sealed class ActivationsExperiment : IExperiment
{
    public const string None = LayerStack.None;
    public static readonly string[] Activations = [None, "sigmoid", "relu"];
    public const int Width = 128;
    private const int BatchSize = 64;
    private const float LearningRate = 0.001f;

    public string Name => "activations";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public ActivationsFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Activation functions: every pair for two hidden layers");
        int samples = context.Pick(1000, 10000, 60000);
        int epochs = context.Epochs(4, 20, 15);
        int testSamples = context.Pick(1000, 5000, 10000);
        string dataset = context.Images.Train.Name;
        var runs = (
            from first in Activations
            from second in Activations
            select new ActivationsRun(first, second, context.Train($"{first} / {second}", context.ImageTraining with
            {
                Layers = Layers(first, second),
                Optimizer = new OptimizerSettings("adam", LearningRate: LearningRate),
                BatchSize = BatchSize,
                Epochs = epochs,
                TrainSamples = samples,
                TestSamples = testSamples,
            }))).ToArray();

        report.Paragraph($"Two hidden layers of {Width} units on {dataset}, with no activation, a sigmoid or a ReLU after each: " +
                         "nine models, the same data, initial seed and optimizer. With none after either layer the model is " +
                         "linear (two matrices multiply to one), the same family as logistic regression. A short run favours the models " +
                         "that learn fastest; the linear model's limit shows once the others have trained past it.");
        report.Table(["hidden layer 1", "hidden layer 2", "final train loss", "test accuracy"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.First, r.Second,
                r.Run.Diverged ? "diverged" : LabNumber.Format(r.Run.LastEpoch?.TrainLoss),
                LabNumber.Format(r.Run.LastEpoch?.TestAccuracy),
            ]));
        string accuracy = BarChart.Save(report.PlotPath("accuracy.png"), $"Test accuracy after {epochs} epochs ({dataset})",
            "test accuracy", runs.Select(r => (r.Label, r.Run.LastEpoch?.TestAccuracy ?? 0)).ToArray());
        report.Image(accuracy, "final test accuracy of each pair (hidden layer 1 / hidden layer 2)");
        string losses = LinePlot.SavePanels(report.PlotPath("loss.png"), "Training loss per epoch", "epoch",
            "training loss (epoch mean)",
            Activations.Select(first => ($"hidden layer 1: {first}", (IReadOnlyList<Series>)runs.Where(r => r.First == first)
                .Select(r => Series.Of($"hidden layer 2: {r.Second}", r.Run.Curves.Epochs.Select(e => e.TrainLoss).ToArray()))
                .ToArray())).ToArray());
        report.Image(losses, "mean training loss of each epoch, one panel per activation of hidden layer 1");
        report.Config("model", $"`{Layers("A1", "A2")}`, PyTorch's default initialisation; A1, A2 in {string.Join(", ", Activations)} (none: no layer)");
        report.Config("data", $"first {samples} training samples of {dataset}, batches of {BatchSize}; test: first {testSamples} test samples");
        report.Config("loss / optimizer", $"cross-entropy / Adam, η = {LabNumber.Rate(LearningRate)}");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));

        var findings = new ActivationsFindings(report, runs);
        var byLoss = runs.OrderBy(r => r.Run.LastEpoch?.TrainLoss ?? double.PositiveInfinity).ToArray();
        var linear = findings.Find(None, None);
        var bestTest = runs.MaxBy(r => r.Run.LastEpoch?.TestAccuracy ?? 0)!;
        string best = $"best test accuracy: {bestTest.Label} ({LabNumber.Format(bestTest.Run.LastEpoch?.TestAccuracy)})";
        report.Headline = byLoss[^1] == linear
            ? $"On {dataset} the linear model (no activation) ends with the highest training loss, {LabNumber.Format(linear.Run.LastEpoch?.TrainLoss)}; " +
              $"every activation lowers it, {byLoss[0].Label} most ({LabNumber.Format(byLoss[0].Run.LastEpoch?.TrainLoss)}); {best}."
            : $"On {dataset} the lowest final training loss is {byLoss[0].Label}'s ({LabNumber.Format(byLoss[0].Run.LastEpoch?.TrainLoss)}), the highest " +
              $"{byLoss[^1].Label}'s ({LabNumber.Format(byLoss[^1].Run.LastEpoch?.TrainLoss)}); the linear none / none ranks " +
              $"{Array.IndexOf(byLoss, linear) + 1} of {runs.Length} ({LabNumber.Format(linear.Run.LastEpoch?.TrainLoss)}); {best}.";
        report.Write();
        return findings;
    }

    /// <summary>The network with <paramref name="first"/> and <paramref name="second"/> after its hidden layers (none: nothing).</summary>
    public static string Layers(string first, string second) => LayerStack.Spec([first, second], Width);

}

/// <summary>One pair of activations and its run.</summary>
public sealed record ActivationsRun(string First, string Second, LabRun Run)
{
    public string Label => $"{First} / {Second}";
}

/// <summary>The nine runs, hidden layer 1's activation varying slowest, in the order of <see cref="ActivationsExperiment.Activations"/>.</summary>
public sealed record ActivationsFindings(LabReport Report, IReadOnlyList<ActivationsRun> Runs)
{
    public ActivationsRun Find(string first, string second) => Runs.Single(r => r.First == first && r.Second == second);
}
