using Xunit;

namespace DistTrainer.Cluster.Tests.DataPlane;

/// <summary>
/// Tests that count the process's threads or time a deadline run one at a time: another test's connections
/// starting beside them would add threads, or delay the listener, that are not theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "data plane tests that count threads";
}
