using System.Collections.Immutable;
using DistTrainer.Cluster.Protocol.Tests;
using DistTrainer.Cluster.Serialization;
using Xunit;

namespace DistTrainer.Cluster.Tests.Serialization;

public class ProtocolTypeFilterTests
{
    public static TheoryData<Type> Allowed() =>
    [
        typeof(int), typeof(float), typeof(string), typeof(Guid), typeof(float[]), typeof(Acknowledged), typeof(Shard[]),
        typeof(List<Shard>), typeof(Dictionary<string, Shard>), typeof(ImmutableArray<long>), typeof(int?),
        typeof(ActorRefSurrogate), typeof(System.Collections.DictionaryEntry),
    ];

    public static TheoryData<Type> Refused() =>
    [
        typeof(object), typeof(FileInfo), typeof(ProtocolTypeFilterTests), typeof(List<FileInfo>), typeof(Dictionary<string, object>),
        typeof(Exception), typeof(HashSet<int>), typeof(int[,]), typeof(Action), typeof(Type),
    ];

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Allows_protocol_types_and_containers_of_them(Type type) => Assert.True(ProtocolTypeFilter.IsAllowed(type));

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refuses_everything_else(Type type) => Assert.False(ProtocolTypeFilter.IsAllowed(type));

    [Theory]
    [InlineData("System.Collections.Generic.List`1[[DistTrainer.Cluster.Protocol.Tests.Shard, DistTrainer.Cluster.Tests]], System.Private.CoreLib,%core%", true)]
    [InlineData("System.Collections.Generic.List`1[[System.IO.FileInfo, System.Private.CoreLib,%core%]], System.Private.CoreLib,%core%", false)]
    [InlineData("DistTrainer.Cluster.Protocol.Missing, DistTrainer.Cluster", false)]
    [InlineData("not a [type name", false)]
    public void Reads_the_names_hyperion_asks_about(string name, bool allowed) =>
        Assert.Equal(allowed, ProtocolTypeFilter.Instance.IsAllowed(name));
}
