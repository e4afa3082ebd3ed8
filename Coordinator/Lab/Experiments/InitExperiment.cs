using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Nn.Init;
using DistTrainer.Core.Optimizers;
using ScottPlot;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Weight initialisation: how each hidden layer's activations are spread before any training, and how
/// training goes from there. All zeros never breaks the symmetry between a layer's units; N(0, 1) is so
/// large that sigmoids saturate; N(0, 0.01) is so small that the signal dies out with depth; Xavier
/// (for sigmoid) and He (for ReLU) keep the spread layer after layer.
/// </summary>
public sealed class InitExperiment : IExperiment
{
    public static readonly (string Name, Initializer Init)[] Inits =
    [
        ("zeros", new Initializer(InitKind.Zeros)),
        ("N(0,1)", new Initializer(InitKind.Normal, 1)),
        ("N(0,0.01)", new Initializer(InitKind.Normal, 0.01)),
        ("Xavier", new Initializer(InitKind.XavierNormal)),
        ("He", new Initializer(InitKind.HeNormal)),
    ];

    public static readonly string[] Activations = ["sigmoid", "relu"];
    public const int HiddenLayers = 5;
    public const int Width = 100;
    private const int BatchSize = 64;
    private const float LearningRate = 0.001f;

    public string Name => "init";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public InitFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Initialisation: activations at the start, and training from there");
        int samples = context.Pick(1000, 10000, 60000);
        int epochs = context.Epochs(2, 4, 8);
        int testSamples = context.Pick(1000, 5000, 10000);
        int probeRows = context.Pick(200, 1000, 1000);
        var runs = new List<InitRun>();
        foreach (string activation in Activations)
            foreach (var (name, init) in Inits)
            {
                var options = context.ImageTraining with
                {
                    Layers = Layers(activation),
                    Init = init,
                    Optimizer = new OptimizerSettings("adam", LearningRate: LearningRate),
                    BatchSize = BatchSize,
                    Epochs = epochs,
                    TrainSamples = samples,
                    TestSamples = testSamples,
                };
                IReadOnlyList<float[]> initial;
                using (var probe = TrainingRun.Prepare(options, context.Log, context.Images))
                    initial = HiddenActivations.Of(probe, probeRows);
                var trainedWeights = default(HiddenWeights);
                var run = context.Train($"{activation}, {name}", options, inspect: trained => trainedWeights = Measure(trained));
                runs.Add(new InitRun(activation, name, initial, run, trainedWeights));
            }

        report.Paragraph($"{HiddenLayers} hidden layers of {Width} units; every linear layer drawn by the initialisation named, " +
                         $"biases zero. The histograms are each hidden layer's activations on the first {probeRows} training images " +
                         "with the initial weights, before any step. Saturated: for sigmoid an output below 0.05 or above 0.95 " +
                         "(where its slope is under 0.05), for ReLU an output of exactly 0 (where its slope is 0); over all hidden layers. " +
                         "Training uses Adam, which scales each step to the gradient's own size, so that the curves show more than how much " +
                         "gradient reaches the first layers: with plain SGD even the Xavier sigmoid net stays flat for epochs: the vanishing gradient of the depth experiment.");
        report.Table(["init", "activation", "std, hidden layer 1", $"std, hidden layer {HiddenLayers}", "saturated",
                "hidden units identical after training", "final train loss", "test accuracy"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.Init, r.Activation, LabNumber.Format(r.Std(0)), LabNumber.Format(r.Std(HiddenLayers - 1)),
                LabNumber.Percent(r.SaturatedFraction),
                r.Trained.Spread < 1e-4 ? "yes" : "no",
                r.Run.Diverged ? "diverged" : LabNumber.Format(r.Run.LastEpoch?.TrainLoss),
                r.Run.Diverged ? "–" : LabNumber.Format(r.Run.LastEpoch?.TestAccuracy),
            ]));
        foreach (string activation in Activations)
        {
            var ofActivation = runs.Where(r => r.Activation == activation).ToArray();
            bool relu = activation == "relu";
            string histograms = HistogramPlot.SaveGrid(report.PlotPath($"activations-{activation}.png"),
                $"{activation} net: hidden activations at initialisation (bar: share of the layer's outputs)", $"{activation} output",
                ofActivation.Select(r => r.Init).ToArray(),
                Enumerable.Range(1, HiddenLayers).Select(l => $"hidden layer {l}").ToArray(),
                ofActivation.Select(r => (IReadOnlyList<HistogramPanel>)r.Initial
                    .Select((values, layer) => new HistogramPanel(values, relu
                        ? $"std {LabNumber.Format(r.Std(layer))}, {LabNumber.Percent(values.Count(v => v == 0) / (double)values.Length)} at 0"
                        : $"std {LabNumber.Format(r.Std(layer))}")).ToArray()).ToArray(),
                logX: relu);
            report.Image(histograms, relu
                ? "relu net: each hidden layer's positive activations at initialisation on a log scale (the note gives the share at 0), one row per initialisation"
                : "sigmoid net: each hidden layer's activations at initialisation, one row per initialisation");
        }
        string losses = LinePlot.SavePanels(report.PlotPath("loss.png"), "Training loss from each initialisation", "step",
            "training loss (batch)",
            Activations.Select(activation => (activation, (IReadOnlyList<Series>)runs.Where(r => r.Activation == activation)
                .Select(r => Series.Of(r.Init, r.Run.StepLosses)).ToArray())).ToArray(),
            logY: true, sameY: false, legend: Alignment.MiddleRight);
        report.Image(losses, "training loss of each batch, one panel per activation, log scale");
        report.Config("model", $"`{Layers("ACT")}` with ACT = {string.Join(", ", Activations)}; Xavier and He drawn from normal " +
                               "distributions (std √(2 / (fan_in + fan_out)) and √(2 / fan_in))");
        report.Config("data", $"first {samples} training samples of {context.Images.Train.Name}, batches of {BatchSize}; " +
                              $"test: first {testSamples} test samples");
        report.Config("loss / optimizer", $"cross-entropy / Adam, η = {LabNumber.Rate(LearningRate)}");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));
        var findings = new InitFindings(report, runs);
        var best = Activations.Select(a => findings.Runs.Where(r => r.Activation == a && !r.Run.Diverged)
            .MinBy(r => r.Run.LastEpoch?.TrainLoss ?? double.PositiveInfinity)!).ToArray();
        report.Headline = $"Zeros keep every hidden unit identical through training; N(0,1) saturates " +
                          $"{LabNumber.Percent(findings.Find("sigmoid", "N(0,1)").SaturatedFraction)} of the sigmoid outputs and inflates " +
                          $"ReLU's to std {LabNumber.Format(findings.Find("relu", "N(0,1)").Std(HiddenLayers - 1))} by hidden layer {HiddenLayers}; " +
                          $"N(0,0.01) squeezes them to std {LabNumber.Format(findings.Find("sigmoid", "N(0,0.01)").Std(HiddenLayers - 1))} (sigmoid) " +
                          $"and {LabNumber.Format(findings.Find("relu", "N(0,0.01)").Std(HiddenLayers - 1))} (ReLU); Xavier and He keep them spread. " +
                          $"Lowest final training loss: {string.Join(", ", best.Select(r => $"{r.Init} ({r.Activation})"))}.";
        report.Write();
        return findings;
    }

    /// <summary>The network with <paramref name="activation"/> after each hidden layer.</summary>
    public static string Layers(string activation) => LayerStack.Spec(Enumerable.Repeat(activation, HiddenLayers).ToArray(), Width);

    /// <summary>The hidden linear layers' weights (all but the output layer's) as training left them.</summary>
    private static HiddenWeights Measure(TrainingRun run)
    {
        var parameters = new float[run.Model.ParameterCount];
        run.Backend.Download(run.Model.Parameters, parameters);
        double largest = 0, spread = 0;
        foreach (var weight in run.Model.ParameterLayout.Where(p => p.Shape.Length == 2).SkipLast(1))
        {
            var matrix = parameters.AsSpan(weight.Offset, weight.Length);
            int columns = weight.Shape[1];
            double layerLargest = 0, difference = 0;
            for (int i = 0; i < matrix.Length; i++)
            {
                layerLargest = Math.Max(layerLargest, Math.Abs(matrix[i]));
                difference = Math.Max(difference, Math.Abs(matrix[i] - matrix[i % columns]));
            }
            largest = Math.Max(largest, layerLargest);
            if (layerLargest > 0) spread = Math.Max(spread, difference / layerLargest);
        }
        return new HiddenWeights(largest, spread);
    }
}

/// <summary>
/// The hidden linear layers' weights after training: the largest magnitude, and how far their units are from
/// being copies of each other: the largest difference between a weight row (a unit's incoming weights) and
/// the first row of its layer, relative to the layer's largest weight (0 for an all-zero layer).
/// </summary>
public readonly record struct HiddenWeights(double Largest, double Spread);

/// <summary>One (activation, initialisation) pair: the hidden activations before training, the training run, the weights it left.</summary>
public sealed record InitRun(string Activation, string Init, IReadOnlyList<float[]> Initial, LabRun Run, HiddenWeights Trained)
{
    /// <summary>The standard deviation of hidden layer <paramref name="layer"/>'s (0-based) initial activations.</summary>
    public double Std(int layer)
    {
        var values = Initial[layer];
        double mean = values.Average(v => (double)v);
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    /// <summary>The share of initial hidden activations where the activation's slope is (nearly) zero.</summary>
    public double SaturatedFraction
    {
        get
        {
            Func<float, bool> saturated = Activation == "sigmoid" ? v => v < 0.05f || v > 0.95f : v => v == 0;
            return Initial.Sum(layer => layer.Count(saturated)) / (double)Initial.Sum(layer => layer.Length);
        }
    }
}

/// <summary>The runs of the experiment: for each of <see cref="InitExperiment.Activations"/>, one per <see cref="InitExperiment.Inits"/>, in that order.</summary>
public sealed record InitFindings(LabReport Report, IReadOnlyList<InitRun> Runs)
{
    public InitRun Find(string activation, string init) => Runs.Single(r => r.Activation == activation && r.Init == init);
}
