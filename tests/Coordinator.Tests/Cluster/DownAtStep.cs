using Akka.Actor;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Downs the worker's current node from its own cluster view at a step, and holds the coordinator there until that
/// node has stopped and the worker's fresh node is up (at most 20 s each): otherwise a fast run could end before the
/// downing takes effect, or before the worker is back to train again. Up is not yet registered: the fresh node's
/// registration and data-plane stream are handled by the coordinator this observer runs in, so the next
/// <see cref="SlowSteps"/> steps each wait <see cref="SlowStep"/> after it returns, leaving the coordinator free between
/// steps to take the worker back before a fast run ends (40 steps of a tiny model took less than the rejoin).
/// </summary>
internal sealed class DownAtStep(long step, Func<ActorSystem> node) : ITrainingObserver
{
    private const int SlowSteps = 10;
    private static readonly TimeSpan SlowStep = TimeSpan.FromMilliseconds(100);

    public long? DownedAtStep { get; private set; }

    public void OnStep(StepReport report)
    {
        if (report.Step > step && report.Step <= step + SlowSteps) Thread.Sleep(SlowStep);
        if (report.Step != step) return;
        DownedAtStep = report.Step;
        var victim = node();
        var cluster = Akka.Cluster.Cluster.Get(victim);
        cluster.Down(cluster.SelfAddress);
        victim.WhenTerminated.Wait(TimeSpan.FromSeconds(20));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (node() == victim && DateTime.UtcNow < deadline) Thread.Sleep(20);
        MemberUp.Wait(node(), TimeSpan.FromSeconds(20));
    }

    public void OnEpoch(EpochReport report) { }
}
