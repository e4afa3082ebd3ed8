using Akka.Actor;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Downs the coordinator's node at a step from the worker's view of the cluster, as the worker's side of a partition
/// does to a coordinator cut off from it. The downing takes the cluster's gossip, so the next <see cref="SlowSteps"/>
/// steps each wait <see cref="SlowStep"/> after they return: otherwise a fast run could end before it took effect.
/// <paramref name="alongside"/> runs just before the downing (another node's loss at the same moment).
/// </summary>
internal sealed class DownCoordinatorAtStep(long step, Func<ActorSystem> workerNode, string coordinator, Action? alongside = null)
    : ITrainingObserver
{
    private const int SlowSteps = 40;
    private static readonly TimeSpan SlowStep = TimeSpan.FromMilliseconds(100);

    public long? DownedAtStep { get; private set; }

    public void OnStep(StepReport report)
    {
        if (report.Step > step && report.Step <= step + SlowSteps) Thread.Sleep(SlowStep);
        if (report.Step != step || DownedAtStep is not null) return;
        DownedAtStep = report.Step;
        alongside?.Invoke();
        Akka.Cluster.Cluster.Get(workerNode()).Down(Address.Parse(coordinator));
    }

    public void OnEpoch(EpochReport report) { }
}
