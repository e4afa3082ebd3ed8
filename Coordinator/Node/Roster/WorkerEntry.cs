using Akka.Actor;

namespace DistTrainer.Coordinator.Roster;

/// <summary>
/// One registered worker as the roster sees it: its actor, whether its data plane is connected and its
/// node reachable (ready: both, unless it is quarantined for rejected results), and its compute throughput, smoothed so that one slow shard does not
/// swing the next cut of a batch.
/// </summary>
public sealed class WorkerEntry(string id, IActorRef actor)
{
    private bool _measured;

    public string Id { get; } = id;
    public IActorRef Ref { get; set; } = actor;
    public bool Connected { get; set; }
    public bool Reachable { get; set; } = true;
    public bool Quarantined { get; set; }

    /// <summary>The token its data-plane stream must present (see <see cref="WorkerRoster.Register"/>).</summary>
    public string StreamToken { get; set; } = "";
    public bool IsReady => Connected && Reachable && !Quarantined;

    /// <summary>Rows per second of compute, smoothed; 1 until measured so that new workers start with an equal share.</summary>
    public double Throughput { get; private set; } = 1;

    public void Observe(double rowsPerSecond)
    {
        Throughput = _measured ? 0.8 * Throughput + 0.2 * rowsPerSecond : rowsPerSecond;
        _measured = true;
    }
}
