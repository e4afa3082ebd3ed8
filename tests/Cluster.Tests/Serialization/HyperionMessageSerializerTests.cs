using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol.Tests;
using DistTrainer.Cluster.Serialization;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Core;
using Xunit;

namespace DistTrainer.Cluster.Tests.Serialization;

/// <summary>A type from outside the protocol, as a hostile node would name it.</summary>
public sealed record Smuggled(string Command);

public sealed class HyperionMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("disttrainer",
        ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(ClusterConfigBuilder.Embedded));

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private HyperionMessageSerializer Serializer(object message) =>
        Assert.IsType<HyperionMessageSerializer>(_system.Serialization.FindSerializerFor(message));

    [Fact]
    public void Protocol_messages_are_bound_to_it_under_its_fixed_id()
    {
        var serializer = Serializer(new Acknowledged(1, "w"));
        Assert.Equal(HyperionMessageSerializer.Id, serializer.Identifier);
        Assert.Equal(4100, serializer.Identifier);
        Assert.Equal(120000, serializer.MaxMessageBytes);
    }

    [Fact]
    public void Round_trips_a_message_with_arrays_collections_and_nested_records()
    {
        var message = new Assignment(7, "worker-2", [1.5f, -0f, float.MaxValue, float.NaN], [3L, long.MaxValue],
            new Dictionary<string, int> { ["a"] = 1, ["b"] = -2 }, [new Shard(0, [4, 5]), new Shard(1, [])], 2.5, null);
        var serializer = Serializer(message);

        var copy = Assert.IsType<Assignment>(serializer.FromBinary(serializer.ToBinary(message), typeof(Assignment)));

        Assert.Equal(7, copy.Step);
        Assert.Equal("worker-2", copy.Worker);
        Assert.Equal(message.Weights, copy.Weights);
        Assert.Equal(message.Indices, copy.Indices);
        Assert.Equal(message.Counts, copy.Counts);
        Assert.Equal([0, 1], copy.Shards.Select(s => s.Id));
        Assert.Equal([4, 5], copy.Shards[0].Samples);
        Assert.Empty(copy.Shards[1].Samples);
        Assert.Equal(2.5, copy.Deadline);
        Assert.Null(copy.ReplyTo);
    }

    public static TheoryData<object> Foreign() => [new Smuggled("rm -rf"), new Wrapper(new Smuggled("rm -rf")), new Wrapper(new List<Smuggled>())];

    [Theory]
    [MemberData(nameof(Foreign))]
    public void Refuses_bytes_naming_a_type_outside_the_protocol(object message)
    {
        using var stream = new MemoryStream();
        new Hyperion.Serializer().Serialize(message, stream);
        var serializer = Serializer(new Acknowledged(1, "w"));

        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(stream.ToArray(), typeof(object)));

        Assert.StartsWith($"refused a {stream.Length}-byte message: ", e.Message);
        Assert.Contains("DistTrainer.Cluster.Tests.Serialization.Smuggled", e.Message);
        Assert.EndsWith("is not on the allow-list of DistTrainer.Cluster.Protocol types", e.Message);
    }

    [Fact]
    public void Deserializes_allowed_types_under_an_object_field()
    {
        var serializer = Serializer(new Acknowledged(1, "w"));
        var message = new Wrapper(new List<Shard> { new(3, [9]) });

        var copy = Assert.IsType<Wrapper>(serializer.FromBinary(serializer.ToBinary(message), typeof(Wrapper)));

        Assert.Equal(3, Assert.Single(Assert.IsType<List<Shard>>(copy.Body)).Id);
    }

    [Fact]
    public void Writes_a_message_up_to_the_cap_and_refuses_one_byte_more()
    {
        var serializer = Serializer(new Payload([]));
        int overhead = serializer.ToBinary(new Payload([])).Length;
        int largest = serializer.MaxMessageBytes - overhead;
        Assert.Equal(serializer.MaxMessageBytes, serializer.ToBinary(new Payload(new byte[largest])).Length);

        var e = Assert.Throws<MessageTooLargeException>(() => serializer.ToBinary(new Payload(new byte[largest + 1])));

        Assert.StartsWith("DistTrainer.Cluster.Protocol.Tests.Payload serialized to 120001 bytes, over the 120000-byte cap", e.Message);
    }

    [Fact]
    public async Task An_oversize_message_to_another_node_is_logged_by_the_sender_as_an_error_naming_it()
    {
        var senderLog = new CollectingSink();
        using var sender = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0), senderLog.CreateLogger());
        using var receiver = ClusterNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0), Serilog.Core.Logger.None);
        var receiverAddress = ((ExtendedActorSystem)receiver).Provider.DefaultAddress;

        sender.ActorSelection(new RootActorPath(receiverAddress) / "user" / "anyone").Tell(new Payload(new byte[200_000]));

        var error = await senderLog.WaitForAsync(e => e.Exception is not null, TimeSpan.FromSeconds(10));
        Assert.Equal(Serilog.Events.LogEventLevel.Error, error.Level);
        var cause = Assert.IsType<MessageTooLargeException>(error.Exception!.GetBaseException());
        Assert.StartsWith("DistTrainer.Cluster.Protocol.Tests.Payload serialized to 2000", cause.Message);
    }

    [Fact]
    public void A_cap_above_the_frame_size_is_refused_at_start()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = local
            akka.actor.serialization-settings.disttrainer-hyperion.max-message-bytes = 200000
            """).WithFallback(ClusterConfigBuilder.Embedded);
        // Akka builds its serializers by reflection, so the refusal comes wrapped.
        var e = Assert.IsType<InvalidInputException>(
            Assert.ThrowsAny<Exception>(() => ActorSystem.Create("disttrainer", config)).GetBaseException());

        Assert.Equal("akka.actor.serialization-settings.disttrainer-hyperion.max-message-bytes: 200000 is not between 1 and " +
                     "akka.remote.dot-netty.tcp.maximum-frame-size (128000)", e.Message);
    }
}
