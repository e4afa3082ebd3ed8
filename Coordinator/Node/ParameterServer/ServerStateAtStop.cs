namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// What the parameter server left behind when it stopped: the step whose weights and running statistics it wrote into
/// the run's model (its optimizer, the run's too, holds that step's state), or null when a step stopped half-way left
/// them inconsistent. A coordinator whose node the cluster removed trains on from there on a fresh node.
/// </summary>
public sealed class ServerStateAtStop
{
    private readonly TaskCompletionSource<long?> _step = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the parameter server has stopped.</summary>
    public Task<long?> Step => _step.Task;

    internal void Stopped(long? step) => _step.TrySetResult(step);
}
