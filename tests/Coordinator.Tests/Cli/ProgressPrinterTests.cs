using DistTrainer.Coordinator.Cli;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Cli;

public class ProgressPrinterTests
{
    [Fact]
    public void Many_short_epochs_print_the_first_and_the_last_only_within_a_second()
    {
        var output = new StringWriter();
        var printer = new ProgressPrinter(output, live: false);
        for (int epoch = 0; epoch < 500; epoch++)
        {
            printer.OnStep(new StepReport(epoch, 0, 1, epoch + 1, 500, 0.5, 0.75, 1000, 128));
            printer.OnEpoch(new EpochReport(epoch + 1, epoch + 1, 0.5, 0.75, 0.4, 1.0, 1000, 0.001));
        }
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 3, 20);
        Assert.StartsWith("epoch 1 batch 1/1 step 1/500", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("epoch 1 done at step 1: train loss 0.5000 acc 0.7500 | test loss 0.4000 acc 1.0000"));
        Assert.StartsWith("epoch 500 done at step 500", lines[^1]);
    }

    [Fact]
    public void The_live_bar_redraws_in_place_and_ends_its_line_before_an_epoch_line()
    {
        var output = new StringWriter();
        var printer = new ProgressPrinter(output, live: true);
        printer.OnStep(new StepReport(0, 0, 4, 1, 8, 1.25, 0.5, 2000, 128));
        printer.OnStep(new StepReport(0, 3, 4, 4, 8, 1.0, 0.5, 2000, 128));
        printer.OnEpoch(new EpochReport(1, 4, 1.1, 0.5, null, null, 2000, 0.1));
        string text = output.ToString();
        Assert.StartsWith("\repoch 1 [#######.......................] step 1/8 loss 1.2500", text);
        Assert.Contains("\n", text);
        Assert.EndsWith("epoch 1 done at step 4: train loss 1.1000 acc 0.5000 | 2000 samples/s, 0.1 s" + Environment.NewLine, text);
    }
}
