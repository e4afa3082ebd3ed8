using DistTrainer.Coordinator.Lab.Experiments;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class OptimizersExperimentTests
{
    [Fact]
    public void Every_optimizer_lowers_the_loss_and_on_rosenbrock_momentum_and_adam_get_far_closer_than_sgd()
    {
        using var lab = new TestLab("optimizers");

        var findings = new OptimizersExperiment().Conduct(lab.Context);

        Assert.Equal(["sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta", "adam"], OptimizersExperiment.Choices.Select(c => c.Name));
        Assert.Equal(["SGD", "Momentum", "NAG", "Adagrad", "RMSProp", "Adadelta", "Adam"], findings.Runs.Select(r => r.Label));
        Assert.All(findings.Runs, run =>
        {
            Assert.False(run.Diverged, run.Label);
            Assert.True(run.LastEpoch!.TrainLoss < 0.75 * run.StepLosses[0],
                $"{run.Label}: last epoch's loss {run.LastEpoch.TrainLoss} against the first step's {run.StepLosses[0]}");
            Assert.True(run.LastEpoch.TestAccuracy > 0.5, $"{run.Label}: test accuracy {run.LastEpoch.TestAccuracy}");
        });

        Assert.Equal(OptimizersExperiment.Surfaces.Length * OptimizersExperiment.Choices.Length, findings.Paths.Count);
        Assert.All(findings.Paths, p => Assert.False(p.Diverged, $"{p.Label} on {p.Surface.Name}"));
        var rosenbrock = findings.Paths.Where(p => p.Surface.Name == "Rosenbrock").ToDictionary(p => p.Settings.Name);
        Assert.True(rosenbrock["sgd"].DistanceToMinimum > 1);
        foreach (var name in new[] { "momentum", "nag", "adam" })
            Assert.True(rosenbrock[name].DistanceToMinimum < 0.05, $"{name}: {rosenbrock[name].DistanceToMinimum} from the minimum");
        var beale = findings.Paths.Where(p => p.Surface.Name == "Beale").ToDictionary(p => p.Settings.Name);
        Assert.True(beale["adam"].DistanceToMinimum < beale["sgd"].DistanceToMinimum / 10);

        string report = File.ReadAllText(Path.Combine(lab.Out, "optimizers", "report.md"));
        Assert.Contains("| Adadelta | 1 | ", report);
        Assert.Contains("| Rosenbrock | Adam | 0.1 | 1000 | ", report);
        Assert.Equal(["accuracy.png", "beale-paths.png", "beale-values.png", "loss.png", "rosenbrock-paths.png", "rosenbrock-values.png"],
            lab.Plots("optimizers").Select(Path.GetFileName).Order());
    }
}
