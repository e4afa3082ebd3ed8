using DistTrainer.Coordinator.Lab;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab;

public sealed class LabReportTests
{
    [Fact]
    public void Writes_the_tables_plots_and_how_the_runs_were_made()
    {
        using var lab = new TestLab("learning-rate", workers: 2, epochs: 7);
        var report = new LabReport(lab.Context, "learning-rate", "A title") { Headline = "It shows." };
        report.Paragraph("Some text.");
        report.Table(["a", "b"], [["1", "2"], ["3", "4"]]);
        report.Image(report.PlotPath("loss.png"), "the loss");
        report.Config("model", "`linear:2:1`");

        string text = File.ReadAllText(report.Write());

        Assert.Contains("# A title\n\n**It shows.**\n\nSome text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n![the loss](loss.png)", text);
        Assert.Contains($"- command: `dotnet run -c Release --project Coordinator -- lab learning-rate --size tiny --workers 2 --epochs 7 --out {lab.Out}`", text);
        Assert.Contains("- seed: 1", text);
        Assert.Contains("- trained on the embedded cluster: 2 workers on loopback", text);
        Assert.Contains("- model: `linear:2:1`", text);
        Assert.Matches(@"- wall time: \d+\.\d s on \d+ cores", text);
    }

    [Fact]
    public void Links_its_plots_relative_to_the_document_it_is_rendered_into()
    {
        using var lab = new TestLab("learning-rate");
        var report = new LabReport(lab.Context, "learning-rate", "A title");
        report.Image(report.PlotPath("loss.png"), "the loss");

        string text = report.Render(lab.Out, headingLevel: 2);

        Assert.StartsWith("## A title", text);
        Assert.Contains("![the loss](learning-rate/loss.png)", text);
        Assert.Contains("### How it was made", text);
    }
}
