using Xunit;

namespace DistTrainer.Cluster.Tests.Hosting;

/// <summary>
/// Tests that take every thread of the process's thread pool for seconds. They run one at a time, after the
/// parallel tests: any other test running beside them would be starved with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StarvedPoolCollection
{
    public const string Name = "tests that starve the thread pool";
}
