using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The parameter server's model as its current weights make it, for whoever asks: the test set's outcome, the
/// content of a checkpoint (copied, so that it can be written off the parameter server's thread while the weights
/// move on), or the evaluation model written for its owner to read after the run.
/// </summary>
public sealed class ModelSnapshot(StepApplier weights, BatchRunner evaluator, Dataset? test, long? plannedSteps, int? logicalShards = null)
{
    /// <summary>The test set's summed loss and correct count; null without a test set.</summary>
    public BatchOutcome? Evaluate()
    {
        if (test is not { Count: > 0 }) return null;
        weights.WriteModel();
        return evaluator.Evaluate(test);
    }

    /// <summary>A copy of the weights, running statistics and optimizer state, with the run's planned total steps and logical shards.</summary>
    public CheckpointContent Capture() => weights.CaptureCheckpoint(plannedSteps, logicalShards);

    public ModelExported Export()
    {
        weights.WriteModel();
        return new ModelExported(weights.Version);
    }
}
