namespace DistTrainer.Core.Telemetry.TensorBoard;

/// <summary>
/// The tags a run's event files hold. TensorBoard groups a dashboard by the part before the slash; every
/// event's step is the number of steps applied so far, so per-step and per-epoch curves share one x axis.
/// </summary>
public static class TensorBoardTags
{
    public const string StepLoss = "train/loss";
    public const string StepAccuracy = "train/accuracy";
    public const string LearningRate = "train/learning_rate";
    public const string SamplesPerSecond = "train/samples_per_second";

    public const string EpochTrainLoss = "epoch/train_loss";
    public const string EpochTrainAccuracy = "epoch/train_accuracy";
    public const string EpochTestLoss = "epoch/test_loss";
    public const string EpochTestAccuracy = "epoch/test_accuracy";

    public const string StepMilliseconds = "cluster/step_ms";
    public const string ComputeMilliseconds = "cluster/compute_ms";
    public const string CommunicationMilliseconds = "cluster/communication_ms";
    public const string ParameterServerMilliseconds = "cluster/parameter_server_ms";
    public const string ShardsReassigned = "cluster/shards_reassigned";
    public const string StepRestarts = "cluster/steps_planned_again";
    public const string ResultsDropped = "cluster/results_dropped";
    public const string WorkersReady = "cluster/workers_ready";
    public const string WorkersLost = "cluster/workers_lost";

    /// <summary>The histogram tag of a parameter tensor's gradient ("gradients/0.weight").</summary>
    public static string Gradients(string tensor) => $"gradients/{tensor}";

    /// <summary>The histogram tag of a parameter tensor's weights ("weights/0.weight").</summary>
    public static string Weights(string tensor) => $"weights/{tensor}";
}
