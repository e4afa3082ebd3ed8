using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Plots;

/// <summary>A run's loss and accuracy curves, drawn from what a <see cref="TrainingRecorder"/> kept.</summary>
public static class TrainingCurves
{
    /// <summary>
    /// Writes STEM.loss.png (each step's training loss, each epoch's mean training loss and test loss, by
    /// step) and STEM.accuracy.png (each epoch's training and test accuracy); returns both paths.
    /// </summary>
    public static IReadOnlyList<string> Save(string stem, string title, TrainingRecorder run)
    {
        var epochs = run.Epochs;
        var losses = new List<Series>
        {
            new("train loss (each step)", run.Steps.Select(s => (double)s.Step).ToArray(), run.Steps.Select(s => s.Loss).ToArray()),
            new("train loss (epoch mean)", epochs.Select(e => (double)e.Step).ToArray(), epochs.Select(e => e.TrainLoss).ToArray()),
        };
        if (epochs.Any(e => e.TestLoss is not null))
            losses.Add(new("test loss", epochs.Select(e => (double)e.Step).ToArray(), epochs.Select(e => e.TestLoss ?? double.NaN).ToArray()));
        string lossPath = LinePlot.Save($"{stem}.loss.png", $"{title}: loss", "step", "loss", losses);

        var accuracy = new List<Series> { Series.Of("train accuracy", epochs.Select(e => e.TrainAccuracy).ToArray()) };
        if (epochs.Any(e => e.TestAccuracy is not null))
            accuracy.Add(Series.Of("test accuracy", epochs.Select(e => e.TestAccuracy ?? double.NaN).ToArray()));
        string accuracyPath = LinePlot.Save($"{stem}.accuracy.png", $"{title}: accuracy", "epoch", "accuracy", accuracy,
            legend: ScottPlot.Alignment.LowerRight);
        return [lossPath, accuracyPath];
    }
}
