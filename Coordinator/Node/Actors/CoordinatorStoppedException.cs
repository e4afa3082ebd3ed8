namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// The coordinator actor stopped before its run ended: its node left the cluster under it (the split-brain resolver
/// downed it, say a standby that took over and was then cut off under load). The programs report it as the cluster
/// failing (exit 4), with one line, and not as a crash: the run's newest periodic checkpoint is on disk for a
/// restart with --resume.
/// </summary>
public sealed class CoordinatorStoppedException() : Exception(
    "the coordinator's node left the cluster before the run ended (downed by the split-brain resolver, or shut down); " +
    "the newest periodic checkpoint of --save is where a coordinator restarted with --resume goes on from");
