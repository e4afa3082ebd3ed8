using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Starts a worker at a step and holds the coordinator there until the worker's node is up in the cluster (at most 20 s),
/// so that it joins a run under way at a known point rather than whenever the machine gets round to it.
/// </summary>
internal sealed class JoinAtStep(long step, Func<EmbeddedWorkers> start) : ITrainingObserver
{
    public long? StartedAtStep { get; private set; }
    public EmbeddedWorkers? Joiner { get; private set; }

    public void OnStep(StepReport report)
    {
        if (report.Step != step) return;
        StartedAtStep = report.Step;
        Joiner = start();
        MemberUp.Wait(Joiner.Systems[0], TimeSpan.FromSeconds(20));
    }

    public void OnEpoch(EpochReport report) { }
}
