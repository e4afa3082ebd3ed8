namespace DistTrainer.Worker.Actors;

/// <summary>
/// What a worker actor tells its host about its part in a run: whether a coordinator accepted it, and how it ended
/// (<see cref="Ended"/>: null when training finished, else why it gave up). A node removed from the cluster ends neither
/// way (its actor system stops underneath it); the host then knows from <see cref="WasAccepted"/> whether that node had
/// been taking part, which is what decides how long a fresh node may keep trying (see Hosting/RejoiningWorker).
/// </summary>
public sealed class WorkerOutcome
{
    private readonly TaskCompletionSource<string?> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _accepted;

    public bool WasAccepted => _accepted;

    public Task<string?> Ended => _ended.Task;

    public void Accepted() => _accepted = true;

    public void Finished() => _ended.TrySetResult(null);

    public void GaveUp(string reason) => _ended.TrySetResult(reason);
}
