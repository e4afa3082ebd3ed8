using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class BatchNormExperimentTests
{
    [Fact]
    public void Batch_norm_trains_the_deep_sigmoid_net_that_stalls_without_it_and_its_training_mode_depends_on_the_batch()
    {
        using var lab = new TestLab("batchnorm");

        var findings = new BatchNormExperiment().Conduct(lab.Context);

        double plain = findings.Plain.LastEpoch!.TestAccuracy!.Value;
        double normalised = findings.BatchNorm.LastEpoch!.TestAccuracy!.Value;
        Assert.True(plain < 0.2, $"the plain net stays near chance: {plain}");
        Assert.True(normalised > plain + 0.3, $"the batch-norm net trains: {normalised} against {plain}");
        Assert.True(findings.BatchNorm.LastEpoch.TrainLoss < 0.75 * findings.BatchNorm.StepLosses[0]);

        var modes = findings.Modes;
        Assert.Equal(BatchNormExperiment.ModeBatchSizes, modes.Select(m => m.BatchSize));
        Assert.Single(modes.Select(m => m.EvalModeAccuracy).Distinct());
        Assert.True(modes[0].MeanAbsoluteDifference > 2 * modes[^1].MeanAbsoluteDifference,
            $"batches of 2 differ from evaluation mode most: {modes[0].MeanAbsoluteDifference} against {modes[^1].MeanAbsoluteDifference}");
        Assert.True(modes[0].TrainModeAccuracy < modes[0].EvalModeAccuracy - 0.1,
            $"batches of 2 predict worse in training mode: {modes[0].TrainModeAccuracy} against {modes[0].EvalModeAccuracy}");
        Assert.True(findings.Dependence.TrainMode > 1e-3, $"one row in two batches, training mode: {findings.Dependence.TrainMode}");
        Assert.Equal(0, findings.Dependence.EvalMode);

        string report = File.ReadAllText(Path.Combine(lab.Out, "batchnorm", "report.md"));
        Assert.Contains("| 2 | ", report);
        Assert.Contains("| batch norm | 0.02 | ", report);
        Assert.Equal(["accuracy.png", "loss.png", "modes.png"], lab.Plots("batchnorm").Select(Path.GetFileName).Order());
    }
}
