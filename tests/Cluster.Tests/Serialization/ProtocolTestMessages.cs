using System.Collections.Immutable;
using Akka.Actor;

// Under the protocol namespace so that the serializer's allow-list admits them, as it will the real messages.
namespace DistTrainer.Cluster.Protocol.Tests;

public sealed record Assignment(int Step, string Worker, float[] Weights, List<long> Indices,
    Dictionary<string, int> Counts, ImmutableArray<Shard> Shards, double? Deadline, IActorRef? ReplyTo) : IProtocolMessage;

public sealed record Shard(int Id, int[] Samples);

public sealed record Acknowledged(int Step, string By) : IProtocolMessage;

public sealed record Payload(byte[] Bytes) : IProtocolMessage;

/// <summary>Carries anything: how a foreign type could hide inside an allowed message.</summary>
public sealed record Wrapper(object Body) : IProtocolMessage;
