using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Init;
using DistTrainer.Core.Optimizers;
using ScottPlot;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Vanishing gradients: the same deep network (10 hidden layers) with sigmoid, tanh or ReLU between its
/// layers, trained by plain SGD. Back-propagation multiplies the gradient by the activation's derivative
/// at every layer; the sigmoid's is at most 1/4, so ten of them shrink the first layer's gradient by
/// orders of magnitude and the net learns nothing, while ReLU passes the gradient through unchanged.
/// </summary>
public sealed class DepthExperiment : IExperiment
{
    public static readonly string[] Activations = ["sigmoid", "tanh", "relu"];
    public const int HiddenLayers = 10;
    public const int Width = 64;
    private const int BatchSize = 64;
    private const float LearningRate = 0.02f;

    public string Name => "depth";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public DepthFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Depth: vanishing gradients through ten sigmoid layers");
        int samples = Math.Min(context.Pick(2000, 20000, 60000), context.Images.Train.Count);
        int epochs = context.Epochs(3, 8, 15);
        int testSamples = context.Pick(1000, 5000, 10000);
        long stepsPerEpoch = (long)Math.Ceiling(samples / (double)BatchSize);
        var runs = Activations.Select(activation =>
        {
            string layers = Layers(activation);
            var gradients = new LayerGradientNorms(LayoutOf(layers), epochs * stepsPerEpoch);
            var run = context.Train(activation, context.ImageTraining with
            {
                Layers = layers,
                Init = new Initializer(InitKind.HeUniform),
                Optimizer = new OptimizerSettings("sgd", LearningRate: LearningRate),
                BatchSize = BatchSize,
                Epochs = epochs,
                TrainSamples = samples,
                TestSamples = testSamples,
            }, gradients);
            return new DepthRun(activation, run, gradients, gradients.MeanPerLayer(0, Math.Min(stepsPerEpoch, gradients.Steps)));
        }).ToArray();

        report.Paragraph($"{HiddenLayers} hidden layers of {Width} units, the same He initialisation for every activation (larger " +
                         "than Xavier's, so it gives the sigmoid net more gradient, not less) and plain SGD. After every step the " +
                         "L2 norm of each linear layer's weight gradient was recorded; the table gives their mean over the first epoch.");
        report.Table(["activation", "final test accuracy", "layer 1 gradient norm", $"layer {HiddenLayers + 1} gradient norm", "first / last"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.Activation,
                LabNumber.Format(r.Run.LastEpoch?.TestAccuracy),
                LabNumber.Format(r.FirstLayerNorm),
                LabNumber.Format(r.LastLayerNorm),
                LabNumber.Format(r.Ratio),
            ]));
        string accuracy = LinePlot.Save(report.PlotPath("accuracy.png"), $"{HiddenLayers} hidden layers: test accuracy (chance: 0.10)",
            "epoch", "test accuracy",
            runs.Select(r => Series.Of(r.Activation, r.Run.Curves.Epochs.Select(e => e.TestAccuracy ?? double.NaN).ToArray())),
            legend: Alignment.MiddleRight);
        report.Image(accuracy, "test accuracy after each epoch for each activation");
        string perLayer = LinePlot.Save(report.PlotPath("gradient-per-layer.png"), "Weight-gradient norm per layer, first epoch",
            "linear layer (1 = input side)", "mean L2 norm of the weight gradient",
            runs.Select(r => Series.Of(r.Activation, r.FirstEpochNorms)), logY: true, legend: Alignment.LowerRight);
        report.Image(perLayer, "mean weight-gradient norm of each linear layer over the first epoch, log scale");
        string overSteps = LinePlot.SavePanels(report.PlotPath("gradient-over-steps.png"), "Weight-gradient norm of the first and last layer",
            "step", "L2 norm of the weight gradient",
            runs.Select(r => (r.Activation, (IReadOnlyList<Series>)
            [
                Series.Of($"layer {HiddenLayers + 1} (output)", r.Gradients.OverSteps(HiddenLayers)),
                Series.Of("layer 1 (input)", r.Gradients.OverSteps(0)),
            ])).ToArray(), logY: true, legend: Alignment.MiddleRight);
        report.Image(overSteps, "weight-gradient norm of the first and last linear layer at every step, log scale");
        report.Config("model", $"`{Layers("ACT")}` with ACT = {string.Join(", ", Activations)}; He (uniform) initialisation");
        report.Config("data", $"first {samples} training samples of {context.Images.Train.Name}, batches of {BatchSize}; " +
                              $"test: first {testSamples} test samples");
        report.Config("loss / optimizer", $"cross-entropy / SGD, η = {LabNumber.Rate(LearningRate)}");
        report.Config("epochs", epochs.ToString(CultureInfo.InvariantCulture));

        var sigmoid = runs[0];
        var relu = runs[^1];
        report.Headline = $"Through {HiddenLayers} sigmoid layers the first layer's weight gradient is {LabNumber.Format(sigmoid.Ratio)} times the last's " +
                          $"and the net stays near chance ({LabNumber.Format(sigmoid.Run.LastEpoch?.TestAccuracy)} test accuracy); " +
                          $"through ReLU layers it is {LabNumber.Format(relu.Ratio)} times the last's and the net trains to {LabNumber.Format(relu.Run.LastEpoch?.TestAccuracy)}.";
        report.Write();
        return new DepthFindings(report, runs);
    }

    /// <summary>The network with <paramref name="activation"/> after each hidden layer.</summary>
    public static string Layers(string activation) => LayerStack.Spec(Enumerable.Repeat(activation, HiddenLayers).ToArray(), Width);

    /// <summary>Where each tensor of the model <paramref name="layers"/> sits in its parameter vector, known before any run builds it.</summary>
    private static IReadOnlyList<TensorPlacement> LayoutOf(string layers)
    {
        using var backend = new CpuBackend(threads: 1);
        using var model = new Sequential(ModelSpec.Parse(layers), backend, maxRows: 1);
        return model.ParameterLayout;
    }
}

/// <summary>
/// One activation's run, the gradient norms it recorded, and each linear layer's mean weight-gradient norm
/// over the first epoch (layer 1 first).
/// </summary>
public sealed record DepthRun(string Activation, LabRun Run, LayerGradientNorms Gradients, double[] FirstEpochNorms)
{
    public double FirstLayerNorm => FirstEpochNorms[0];
    public double LastLayerNorm => FirstEpochNorms[^1];

    /// <summary>How much of the output layer's gradient reaches the input layer: first / last.</summary>
    public double Ratio => FirstLayerNorm / LastLayerNorm;
}

/// <summary>The runs of the experiment, one per activation of <see cref="DepthExperiment.Activations"/> in that order.</summary>
public sealed record DepthFindings(LabReport Report, IReadOnlyList<DepthRun> Runs);
