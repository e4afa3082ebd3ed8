using System.Globalization;
using DistTrainer.Coordinator.Lab.Classic;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Minsky and Papert's point: one perceptron draws one straight line, so the delta rule learns AND and OR
/// but never XOR, whose classes no line separates; a hidden layer of four units trained by back-propagation
/// bends the boundary and gets all four points right.
/// </summary>
public sealed class XorExperiment : IExperiment
{
    public const string Layers = "linear:2:4,tanh,linear:4:1";
    public const double PerceptronLearningRate = 0.1;
    private const float NetworkLearningRate = 1f;
    private static readonly DecisionGrid Grid = new(-0.5, 1.5, cells: 200);

    public string Name => "xor";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public XorFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "XOR: what one perceptron cannot learn and a hidden layer can");
        int epochs = context.Epochs(200, 500, 1000);
        var perceptrons = new[] { TruthTables.And, TruthTables.Or, TruthTables.Xor }
            .Select(table => TrainPerceptron(table, epochs, context.Options.Seed)).ToArray();

        double[,]? networkRegions = null;
        var network = context.Train("MLP on XOR", context.ImageTraining with
        {
            Dataset = DatasetLoader.Xor,
            DataDir = null,
            Layers = Layers,
            Loss = "bce-with-logits",
            Optimizer = new OptimizerSettings("sgd", LearningRate: NetworkLearningRate),
            BatchSize = null,
            Epochs = epochs,
        }, inspect: run => networkRegions = Grid.Arrange(ClassOneProbabilities(run.Model, Grid.Inputs())));
        double networkAccuracy = network.LastEpoch?.TestAccuracy ?? 0;
        int? networkSolvedAt = network.Curves.Epochs.FirstOrDefault(e => e.TestAccuracy == 1)?.Epoch;

        report.Paragraph("The perceptron is Rosenblatt's classic rule, not this trainer (so `--workers` does not apply to it): one " +
                         $"unit with a step activation (y = 1 when w·x + b > 0), its weights starting uniform in ±{Number(DeltaRulePerceptron.InitialScale)} " +
                         $"from the seed and corrected after each of the four points by w ← w + α (d − y) x with α = {Number(PerceptronLearningRate)}, " +
                         "the bias as the weight of a constant input 1. It stops at the first epoch that gets every point right. The network is a real run of " +
                         $"the trainer on its built-in `xor` dataset (`{Layers}`, logistic output), full-batch gradient descent, so it " +
                         "runs on the cluster with `--workers N` like any other.");
        report.Table(["model", "task", "accuracy", "epochs"],
        [
            .. perceptrons.Select(p => (IReadOnlyList<string>)
            [
                "perceptron (delta rule)", p.Task.ToUpperInvariant(), Accuracy(p.Accuracy),
                p.Converged ? $"{p.Epochs} (solved)" : $"{p.Epochs}, never solved (best {Accuracy(p.Accuracies.Max())})",
            ]),
            [
                $"MLP `{Layers}`", "XOR", Accuracy(networkAccuracy),
                networkSolvedAt is { } at ? $"{epochs} (all four right from epoch {at})" : $"{epochs}, never solved",
            ],
        ]);

        var panels = perceptrons.Select(p => new DecisionRegions($"perceptron on {p.Task.ToUpperInvariant()}: accuracy {Accuracy(p.Accuracy)}",
            Grid, p.Regions, p.Table)).ToList();
        panels.Add(new DecisionRegions($"MLP on XOR: accuracy {Accuracy(networkAccuracy)}", Grid, networkRegions!, TruthTables.Xor));
        string regions = DecisionBoundaryPlot.Save(report.PlotPath("decision-boundaries.png"), panels);
        report.Image(regions, "decision regions: the perceptron on AND, OR and XOR, and the MLP on XOR (shade: the probability of class 1)");
        string loss = LinePlot.Save(report.PlotPath("mlp-loss.png"), "MLP on XOR: training loss", "step (= epoch, full batch)",
            "binary cross-entropy", [Series.Of("MLP loss", network.StepLosses)], logY: true);
        report.Image(loss, "the MLP's training loss per step, log scale");

        report.Config("perceptron", $"delta rule, α = {Number(PerceptronLearningRate)}, initial weights uniform in " +
                                    $"±{Number(DeltaRulePerceptron.InitialScale)}, at most {epochs} epochs");
        report.Config("network", $"`{Layers}`, PyTorch's default initialisation, bce-with-logits, SGD η = {Number(NetworkLearningRate)}, full batch");
        report.Config("epochs", Number(epochs));
        var xor = perceptrons[^1];
        report.Headline = $"The perceptron learns AND and OR but not XOR (accuracy {Accuracy(xor.Accuracy)}, never above " +
                          $"{Accuracy(xor.Accuracies.Max())} in {xor.Epochs} epochs); a 4-unit hidden layer gets XOR to accuracy {Accuracy(networkAccuracy)}.";
        report.Write();
        return new XorFindings(report, perceptrons, network, networkAccuracy);
    }

    private static PerceptronRun TrainPerceptron(Dataset table, int epochs, ulong seed)
    {
        var perceptron = new DeltaRulePerceptron(inputs: 2, PerceptronLearningRate, seed);
        var accuracies = perceptron.Train(table, epochs);
        var regions = Grid.Evaluate((x, y) => perceptron.Predict([x, y]));
        return new PerceptronRun(table.Name, table, accuracies, regions);
    }

    /// <summary>The trained network's probability of class 1 (the logistic of its one output) at each input row.</summary>
    private static double[] ClassOneProbabilities(Sequential model, float[] inputs)
    {
        int count = inputs.Length / model.InputWidth;
        var probabilities = new double[count];
        var logits = new float[model.MaxRows];
        for (int start = 0; start < count; start += model.MaxRows)
        {
            int rows = Math.Min(model.MaxRows, count - start);
            model.Backend.Upload(inputs.AsSpan(start * model.InputWidth, rows * model.InputWidth), model.Input(rows));
            model.Backend.Download(model.Forward(StepContext.Inference, rows), logits.AsSpan(0, rows));
            for (int r = 0; r < rows; r++) probabilities[start + r] = 1 / (1 + Math.Exp(-logits[r]));
        }
        return probabilities;
    }

    private static string Accuracy(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The delta-rule perceptron on one truth table: its accuracy after each epoch and its final decision regions.</summary>
public sealed record PerceptronRun(string Task, Dataset Table, IReadOnlyList<double> Accuracies, double[,] Regions)
{
    public double Accuracy => Accuracies[^1];
    public int Epochs => Accuracies.Count;
    public bool Converged => Accuracy == 1;
}

/// <summary>The perceptron on AND, OR and XOR (in that order) and the network's run on XOR with its final accuracy.</summary>
public sealed record XorFindings(LabReport Report, IReadOnlyList<PerceptronRun> Perceptrons, LabRun Network, double NetworkAccuracy);
