using DistTrainer.Core;
using DistTrainer.Core.Checkpoints;
using Serilog;

namespace DistTrainer.Coordinator.Runs;

/// <summary>
/// The step a run ends at (its planned total, recorded in its checkpoints). A new run trains --steps, or --epochs
/// whole epochs, from its first step (0, or an --init-from checkpoint's). A resumed run is the same run: it ends at
/// the total its checkpoint recorded, whatever its default --epochs; --steps or --epochs given with --resume set a
/// new total, counted from step 0; a checkpoint that recorded none (older files, PyTorch's) takes --epochs as the total.
/// </summary>
public static class RunLength
{
    public static long PlannedSteps(TrainOptions options, long firstStep, int batchesPerEpoch, ILogger log)
    {
        long asked = options.Steps ?? (long)options.Epochs * batchesPerEpoch;
        if (options.Resume is not { } resume) return firstStep + asked;

        long? recorded = ModelCheckpoint.ReadPlannedSteps(resume);
        long planned = options.LengthGiven || recorded is null ? asked : recorded.Value;
        if (recorded is { } before && before != planned)
            log.Information("Resuming at step {Step}: the run now ends at step {Planned} as --steps/--epochs say, not at {Recorded} as {Checkpoint} recorded",
                firstStep, planned, before, resume);
        else
            log.Information("Resuming at step {Step}: the run ends at step {Planned} ({Source})", firstStep, planned,
                recorded is null ? "--steps/--epochs; the checkpoint recorded no total" : "recorded in the checkpoint");
        if (planned <= firstStep)
            throw new InvalidInputException(
                $"--resume {resume}: the checkpoint is at step {firstStep} and the run ends at step {planned}: nothing is left to train " +
                "(--steps or --epochs with --resume give a new total, counted from step 0)");
        return planned;
    }
}
