using System.Diagnostics;
using DistTrainer.Shared.Training;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// Shows training progress: a bar redrawn in place on a terminal (at most ~10 times a second),
/// plain lines when the output is redirected (every <see cref="PlainEvery"/> of an epoch), and
/// one line per epoch with the test-set figures either way.
/// </summary>
public sealed class ProgressPrinter(TextWriter output, bool live) : ITrainingObserver
{
    private const int PlainEvery = 10;
    private const int BarWidth = 30;
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();

    public void OnStep(StepReport r)
    {
        bool lastOfEpoch = r.Batch == r.BatchesPerEpoch - 1;
        if (live)
        {
            if (_sinceDraw.ElapsedMilliseconds < 100 && !lastOfEpoch) return;
            _sinceDraw.Restart();
            int filled = (int)((long)(r.Batch + 1) * BarWidth / r.BatchesPerEpoch);
            output.Write($"\repoch {r.Epoch + 1} [{new string('#', filled)}{new string('.', BarWidth - filled)}] " +
                         $"step {r.Step}/{r.LastStep} loss {r.Loss:F4} acc {r.Accuracy:F3} {r.SamplesPerSecond:F0} samples/s   ");
            return;
        }
        int every = Math.Max(1, r.BatchesPerEpoch / PlainEvery);
        if ((r.Batch + 1) % every == 0 || r.Step == r.LastStep)
            output.WriteLine($"epoch {r.Epoch + 1} batch {r.Batch + 1}/{r.BatchesPerEpoch} step {r.Step}/{r.LastStep} " +
                             $"loss {r.Loss:F4} acc {r.Accuracy:F3} {r.SamplesPerSecond:F0} samples/s");
    }

    public void OnEpoch(EpochReport r)
    {
        if (live) output.WriteLine();
        string test = r.TestAccuracy is { } accuracy ? $" | test loss {r.TestLoss:F4} acc {accuracy:F4}" : "";
        output.WriteLine($"epoch {r.Epoch} done at step {r.Step}: train loss {r.TrainLoss:F4} acc {r.TrainAccuracy:F4}{test} " +
                         $"| {r.SamplesPerSecond:F0} samples/s, {r.Seconds:F1} s");
    }
}
