using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Actors;

/// <summary>The one line an operator reads when a coordinator's node is downed under its run says who goes on with it.</summary>
public sealed class CoordinatorStoppedExceptionTests
{
    private static readonly DistributedRunReport Nothing = new(
        new TrainingResult([], 0, 0, 0, null, FailureKind: FailureKind.Cluster), new AggregationCounts(0, 0, 0, 0), 0, 0, [],
        new Dictionary<string, long>(), [], new StepTimes(0, 0, 0, 0), new DataPlaneTraffic(0, 0), []);

    [Fact]
    public void With_a_standby_the_message_says_the_standby_takes_the_run_over()
    {
        var stopped = new CoordinatorStoppedException(standbyKnown: true, Nothing);

        Assert.Contains("standby coordinator had registered with it and takes the run over", stopped.Message);
        Assert.DoesNotContain("--resume", stopped.Message);
    }

    [Fact]
    public void Without_a_standby_the_message_says_where_a_restart_goes_on_from()
    {
        var stopped = new CoordinatorStoppedException(standbyKnown: false, Nothing);

        Assert.Contains("restarted with --resume", stopped.Message);
        Assert.DoesNotContain("standby", stopped.Message);
    }
}
