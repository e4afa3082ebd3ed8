using Akka.Actor;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Stops <see cref="Victim"/>'s actor system without leaving the cluster, as a crash would, while the parameter server
/// applies step <c>step</c>, holding it there until the victim has stopped (at most 20 s): the victim has its shard of
/// the next step, sent ahead, but not yet the weights to compute it, so that shard must go to the other worker.
/// </summary>
internal sealed class KillAtStep(long step) : IGradientObserver
{
    public ActorSystem? Victim { get; set; }
    public long? KilledAtStep { get; private set; }

    public void OnGradients(long applied, ReadOnlySpan<float> gradients)
    {
        if (applied != step || Victim is not { } victim) return;
        KilledAtStep = applied;
        victim.Terminate().Wait(TimeSpan.FromSeconds(20));
    }
}
