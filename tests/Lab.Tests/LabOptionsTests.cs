using DistTrainer.Coordinator.Lab;
using DistTrainer.Core;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LabOptionsTests
{
    [Fact]
    public void One_experiment_runs_at_full_size_and_all_of_them_at_reduced_size_by_default()
    {
        var one = LabOptions.Parse(["learning-rate"]);
        var all = LabOptions.Parse(["all"]);

        Assert.Equal(LabScale.Full, one.Scale);
        Assert.Equal(LabScale.Reduced, all.Scale);
        Assert.Equal(0, one.Workers);
        Assert.Equal(LabOptions.DefaultOut, one.Out);
        Assert.Null(one.Epochs);
    }

    [Fact]
    public void Reads_every_option()
    {
        var options = LabOptions.Parse(["all", "--out", "x", "--workers", "3", "--epochs", "4", "--size", "tiny", "--seed", "9",
            "--data-dir", "d", "--summary", "s.md", "--histogram-every", "5"]);

        Assert.Equal(("x", 3, 4, LabScale.Tiny, 9UL, "d", "s.md", 5),
            (options.Out, options.Workers, options.Epochs, options.Scale, options.Seed, options.DataDir, options.Summary, options.HistogramEvery));
    }

    [Fact]
    public void Says_the_command_that_reproduces_a_run()
    {
        var options = LabOptions.Parse(["all", "--size", "full", "--out", "docs/experiments", "--summary", "docs/experiments.md"]);

        Assert.Equal("dotnet run -c Release --project Coordinator -- lab all --size full --out docs/experiments --summary docs/experiments.md",
            options.CommandLine(ExperimentCatalog.All));
        Assert.Equal("dotnet run -c Release --project Coordinator -- lab xor --size full --out docs/experiments", options.CommandLine("xor"));
        Assert.Equal("dotnet run -c Release --project Coordinator -- lab depth --size reduced --workers 2 --seed 3",
            LabOptions.Parse(["depth", "--size", "reduced", "--workers", "2", "--seed", "3"]).CommandLine("depth"));
    }

    [Theory]
    [InlineData(new string[0], "lab: name an experiment")]
    [InlineData(new[] { "--out", "x" }, "lab: name an experiment")]
    [InlineData(new[] { "vanishing" }, "lab: unknown experiment 'vanishing'")]
    [InlineData(new[] { "learning-rate", "--size", "huge" }, "--size: unknown size 'huge'")]
    [InlineData(new[] { "learning-rate", "--epochs", "0" }, "--epochs")]
    [InlineData(new[] { "learning-rate", "--summary", "s.md" }, "--summary: only `lab all`")]
    [InlineData(new[] { "learning-rate", "--lr", "0.1" }, "--lr")]
    public void Refuses_bad_options_naming_them(string[] args, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => LabOptions.Parse(args));

        Assert.Contains(message, error.Message);
    }
}
