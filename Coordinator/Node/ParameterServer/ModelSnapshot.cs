using System.Diagnostics;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;
using Serilog;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's model as its current weights make it, for whoever asks: the test set's
/// outcome, a checkpoint on disk (asked for, or periodic as <paramref name="settings"/> say), or the
/// evaluation model written for its owner to read after the run. A checkpoint that cannot be written is
/// an answer with its reason, not a failure of the server.
/// </summary>
public sealed class ModelSnapshot(StepApplier weights, BatchRunner evaluator, Dataset? test, ParameterServerSettings settings, ILogger log)
{
    /// <summary>The test set's summed loss and correct count; null without a test set.</summary>
    public BatchOutcome? Evaluate()
    {
        if (test is not { Count: > 0 }) return null;
        weights.WriteModel();
        return evaluator.Evaluate(test);
    }

    public CheckpointSaved Save(string path)
    {
        try
        {
            long started = Stopwatch.GetTimestamp();
            weights.SaveCheckpoint(path);
            settings.Metrics?.OnCheckpoint(Stopwatch.GetElapsedTime(started).TotalSeconds);
            log.Information("Checkpoint {Path} written at step {Step}", path, weights.Version);
            return new CheckpointSaved(path, weights.Version, null);
        }
        catch (IOException e)
        {
            return new CheckpointSaved(path, weights.Version, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return new CheckpointSaved(path, weights.Version, e.Message);
        }
    }

    /// <summary>Writes the periodic checkpoint when the version step <paramref name="step"/> made is due one; a failure is logged and training goes on.</summary>
    public void SaveIfDue(long step)
    {
        if (settings is not { CheckpointEvery: { } every, CheckpointPath: { } path } || weights.Version % every != 0) return;
        var saved = Save(path);
        if (saved.Error is not null) log.Error("Step {Step}: checkpoint {Path} failed: {Reason}", step + 1, path, saved.Error);
    }

    public ModelExported Export()
    {
        weights.WriteModel();
        return new ModelExported(weights.Version);
    }
}
