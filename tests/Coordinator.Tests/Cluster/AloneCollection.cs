using Xunit;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// Tests whose verdict depends on the failure detector hearing every node in time (nobody lost,
/// exactly the killed worker lost) or that load both cores for a minute. They run one at a time,
/// after the parallel tests: on a 2-core machine another test's cluster training beside them delays
/// heartbeats by seconds and gets a healthy node marked unreachable, which would test the load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "cluster tests that run alone";
}
