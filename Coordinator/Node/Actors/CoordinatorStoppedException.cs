namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// The coordinator actor stopped before its run ended: its node left the cluster under it (the split-brain resolver
/// downed it, say when it was cut off from its workers). Without a standby to take over, the run trains on from the
/// parameter server's state on a fresh node (<see cref="Runs.ClusterTraining"/>); a key range lost with a standby known
/// hands the run to it, and the process stands by for it; otherwise the programs report it as the cluster failing
/// (exit 4), with one line, and not as a crash: the run's newest periodic checkpoint is on disk for a restart with --resume.
/// </summary>
/// <param name="standbyKnown">A standby coordinator registered with this one: it takes over, and this one must not.</param>
/// <param name="sofar">The report of the run up to the stop.</param>
/// <param name="why">Why the node stopped, when it chose to (a key range's server lost, with a standby to take over).</param>
public sealed class CoordinatorStoppedException(bool standbyKnown, DistributedRunReport sofar, string? why = null) : Exception(
    (why ?? "the coordinator's node left the cluster before the run ended (downed by the split-brain resolver, or shut down)") + "; " +
    (standbyKnown
        ? "a standby coordinator had registered with it and takes the run over from the newest periodic checkpoint"
        : "the newest periodic checkpoint of --save is where a coordinator restarted with --resume goes on from"))
{
    public bool StandbyKnown { get; } = standbyKnown;

    public DistributedRunReport SoFar { get; } = sofar;
}
