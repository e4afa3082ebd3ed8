using System.Globalization;
using DistTrainer.Coordinator.Plots;
using DistTrainer.Core.Optimizers;

namespace DistTrainer.Coordinator.Lab.Experiments;

/// <summary>
/// Full-batch gradient descent with several learning rates on one model: a small rate creeps, a larger one
/// converges faster, and past the stability limit (about 2 / the largest curvature) the loss grows without
/// bound until the trainer refuses the non-finite step.
/// </summary>
public sealed class LearningRateExperiment : IExperiment
{
    public static readonly float[] Rates = [0.01f, 0.03f, 0.13f, 1.0f];
    private const string Layers = "linear:784:32,tanh,linear:32:10";

    public string Name => "learning-rate";

    public LabReport Run(LabContext context) => Conduct(context).Report;

    public LearningRateFindings Conduct(LabContext context)
    {
        var report = new LabReport(context, Name, "Learning rate: full-batch gradient descent");
        int samples = context.Pick(500, 2000, 5000);
        int epochs = context.Epochs(40, 150, 300);
        var runs = Rates.Select(rate => context.Train($"lr {LabNumber.Rate(rate)}", context.ImageTraining with
        {
            Layers = Layers,
            Loss = "mse",
            Optimizer = new OptimizerSettings("sgd", LearningRate: rate),
            BatchSize = null,
            Epochs = epochs,
            TrainSamples = samples,
            TestSamples = samples,
        })).ToArray();

        report.Paragraph($"Plain gradient descent (`sgd`, no momentum) on the whole training set at every step, so each curve " +
                         $"is the true loss of the weights it reaches. The same model and initial weights for each learning rate η.");
        int probe = Math.Min(10, epochs);
        report.Table(["η", $"loss at step {probe}", "final train loss", "test accuracy", "outcome"],
            runs.Select((run, i) => (IReadOnlyList<string>)
            [
                LabNumber.Rate(Rates[i]),
                run.Curves.Steps.Count >= probe ? Number(run.Curves.Steps[probe - 1].Loss) : "∞",
                run.Diverged ? "∞" : Number(run.LastEpoch?.TrainLoss),
                run.Diverged ? "–" : Number(run.LastEpoch?.TestAccuracy),
                run.Diverged ? $"diverged: stopped at step {run.Result.Steps + 1}" : $"{run.Result.Steps} steps",
            ]));
        string converging = LinePlot.Save(report.PlotPath("loss.png"), "Full-batch gradient descent: the rates that converge",
            "step", "MSE loss", runs.Where(r => !r.Diverged).Select(r => Series.Of(r.Label, r.StepLosses)));
        report.Image(converging, "training loss per step for each learning rate that converges");
        string all = LinePlot.Save(report.PlotPath("divergence.png"), "Full-batch gradient descent: every rate, log scale",
            "step", "MSE loss", runs.Select(r => Series.Of(r.Label, r.StepLosses)), logY: true);
        report.Image(all, "training loss per step for every learning rate, on a log scale");
        report.Config("model", $"`{Layers}`, PyTorch's default initialisation");
        report.Config("data", $"first {samples} training samples of {context.Images.Train.Name}, full batch; test: first {samples} test samples");
        report.Config("loss / optimizer", "MSE on one-hot targets / SGD");
        report.Config("epochs (= steps)", epochs.ToString(CultureInfo.InvariantCulture));

        var converged = runs.Where(r => !r.Diverged).ToArray();
        var diverged = runs.Where(r => r.Diverged).ToArray();
        report.Headline = diverged.Length > 0
            ? $"η = {string.Join(", ", converged.Select(r => r.Label[3..]))} converge, the larger the faster; " +
              $"η = {string.Join(", ", diverged.Select(r => r.Label[3..]))} diverges (the loss grows to infinity)."
            : $"Every rate converged; the larger the faster.";
        report.Write();
        return new LearningRateFindings(report, runs);
    }


    private static string Number(double? value) => value is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "–";
}

/// <summary>The runs of the experiment, one per rate of <see cref="LearningRateExperiment.Rates"/>.</summary>
public sealed record LearningRateFindings(LabReport Report, IReadOnlyList<LabRun> Runs);
