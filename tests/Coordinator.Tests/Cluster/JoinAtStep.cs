using DistTrainer.Coordinator.Hosting;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Starts a worker at a step and holds the coordinator there until the worker's node is up in the cluster (at most 20 s),
/// so that it joins a run under way at a known point rather than whenever the machine gets round to it. After that step,
/// until <paramref name="joined"/> says the coordinator took the worker in, each step is held for a moment (at most 3 s
/// in all): the coordinator registers the worker between two steps, and its session and data plane open meanwhile, while
/// an unpaced run could end its last steps first (about 2 ms each once the parameter server stopped copying).
/// </summary>
internal sealed class JoinAtStep(long step, Func<EmbeddedWorkers> start, Func<bool> joined) : ITrainingObserver
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(100);

    public long? StartedAtStep { get; private set; }
    public EmbeddedWorkers? Joiner { get; private set; }

    public void OnStep(StepReport report)
    {
        if (report.Step == step)
        {
            StartedAtStep = report.Step;
            Joiner = start();
            MemberUp.Wait(Joiner.Systems[0], TimeSpan.FromSeconds(20));
        }
        else if (report.Step > step && report.Step <= step + 30 && !joined())
            Thread.Sleep(Pace);
    }

    public void OnEpoch(EpochReport report) { }
}
