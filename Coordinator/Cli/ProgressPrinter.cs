using System.Diagnostics;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// Shows training progress: a bar redrawn in place on a terminal (at most 10 times a second),
/// plain lines when the output is redirected (at most one a second), and a line per epoch with the
/// test-set figures. When epochs take less than a second (XOR, full-batch runs) epoch lines are
/// thinned to one a second too; the first and the last are always shown.
/// </summary>
public sealed class ProgressPrinter(TextWriter output, bool live) : ITrainingObserver
{
    private const int BarWidth = 30;
    private static readonly long LiveInterval = Stopwatch.Frequency / 10;
    private static readonly long PlainInterval = Stopwatch.Frequency;
    private long _lastStepLine = long.MinValue / 2;
    private long _lastEpochLine = long.MinValue / 2;
    private long _lastStep;
    private bool _barDrawn;

    public void OnStep(StepReport r)
    {
        _lastStep = r.LastStep;
        long now = Stopwatch.GetTimestamp();
        if (now - _lastStepLine < (live ? LiveInterval : PlainInterval) && r.Step != r.LastStep) return;
        _lastStepLine = now;
        if (live)
        {
            int filled = (int)((long)(r.Batch + 1) * BarWidth / r.BatchesPerEpoch);
            output.Write($"\repoch {r.Epoch + 1} [{new string('#', filled)}{new string('.', BarWidth - filled)}] " +
                         $"step {r.Step}/{r.LastStep} loss {r.Loss:F4} acc {r.Accuracy:F3} {r.SamplesPerSecond:F0} samples/s   ");
            _barDrawn = true;
            return;
        }
        output.WriteLine($"epoch {r.Epoch + 1} batch {r.Batch + 1}/{r.BatchesPerEpoch} step {r.Step}/{r.LastStep} " +
                         $"loss {r.Loss:F4} acc {r.Accuracy:F3} {r.SamplesPerSecond:F0} samples/s");
    }

    public void OnEpoch(EpochReport r)
    {
        long now = Stopwatch.GetTimestamp();
        if (r.Epoch > 1 && r.Step != _lastStep && now - _lastEpochLine < PlainInterval) return;
        _lastEpochLine = now;
        if (_barDrawn) output.WriteLine();
        _barDrawn = false;
        string test = r.TestAccuracy is { } accuracy ? $" | test loss {r.TestLoss:F4} acc {accuracy:F4}" : "";
        output.WriteLine($"epoch {r.Epoch} done at step {r.Step}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:F4}{test} " +
                         $"| {r.SamplesPerSecond:F0} samples/s, {r.Seconds:F1} s");
    }
}
