using DistTrainer.Coordinator.Lab;
using Serilog.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LabCommandTests
{
    [Fact]
    public void Runs_the_named_experiment_and_says_where_its_report_is()
    {
        using var dir = new DistTrainer.Core.Tests.TempDirectory();
        var output = new StringWriter();

        int exit = LabCommand.Run(LabOptions.Parse(["learning-rate", "--size", "tiny", "--out", dir.Path]), output, Logger.None);

        Assert.Equal(0, exit);
        string report = Path.Combine(dir.Path, "learning-rate", "report.md");
        Assert.True(File.Exists(report));
        Assert.Contains($"report: {report}", output.ToString());
        Assert.Contains("lr 1: ", output.ToString());
        Assert.Contains("diverged", output.ToString());
    }
}
