using Xunit;

namespace DistTrainer.Core.Tests.Data;

/// <summary>
/// Tests of which datasets the process keeps once nobody uses them run one at a time: another test's load beside them
/// would become the latest one and change what is kept.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LatestDatasetCollection
{
    public const string Name = "dataset loads that must be the latest";
}
