using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Core;
using Hyperion;
using Hyperion.Internal;

namespace DistTrainer.Cluster.Serialization;

/// <summary>
/// Serializes <see cref="IProtocolMessage"/>s (bound in deploy/akka.hocon) with Hyperion, deserializing
/// only the types <see cref="ProtocolTypeFilter"/> allows and refusing to write a message over
/// max-message-bytes. No version tolerance and no object references: every node runs the same
/// build, and messages are immutable trees.
/// </summary>
public sealed class HyperionMessageSerializer : Akka.Serialization.Serializer
{
    /// <summary>The serializer id in Akka's envelope; fixed, so that every node reads it the same.</summary>
    public const int Id = 4100;

    private const string FrameSizePath = "akka.remote.dot-netty.tcp.maximum-frame-size";
    private const string CapPath = "akka.actor.serialization-settings.disttrainer-hyperion.max-message-bytes";

    private readonly Hyperion.Serializer _hyperion;

    /// <summary>Akka calls this with akka.actor.serialization-settings.disttrainer-hyperion.</summary>
    public HyperionMessageSerializer(ExtendedActorSystem system, Config settings) : base(system)
    {
        MaxMessageBytes = settings.GetInt("max-message-bytes", 0);
        long frameSize = system.Settings.Config.GetByteSize(FrameSizePath) ?? long.MaxValue;
        if (MaxMessageBytes <= 0 || MaxMessageBytes > frameSize)
            throw new InvalidInputException(
                $"{CapPath}: {MaxMessageBytes} is not between 1 and {FrameSizePath} ({frameSize})");

        _hyperion = new Hyperion.Serializer(new SerializerOptions(
            versionTolerance: false,
            preserveObjectReferences: false,
            surrogates: [ActorRefSurrogate.For(system)],
            serializerFactories: null,
            knownTypes: KnownTypes(),
            ignoreISerializable: true,
            packageNameOverrides: null,
            disallowUnsafeTypes: true,
            typeFilter: ProtocolTypeFilter.Instance));
    }

    public int MaxMessageBytes { get; }

    public override int Identifier => Id;

    // Hyperion writes the type into the payload itself.
    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        _hyperion.Serialize(obj, stream);
        if (stream.Length > MaxMessageBytes)
            throw new MessageTooLargeException(
                $"{obj.GetType().FullName} serialized to {stream.Length} bytes, over the {MaxMessageBytes}-byte cap " +
                $"({CapPath}): large payloads go over the data plane");
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, Type? type)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        try
        {
            return _hyperion.Deserialize(stream);
        }
        catch (Exception e) when (e.GetBaseException() is UserEvilDeserializationException refusal)
        {
            // Hyperion throws the refusal bare for the outer type and wrapped for a nested one: one exception for both.
            throw new SerializationException(
                $"refused a {bytes.Length}-byte message: {refusal.Message} is not on the allow-list of {ProtocolTypeFilter.ProtocolNamespace} types", e);
        }
    }

    /// <summary>
    /// The protocol's concrete types of this assembly, ordered by name, written as short indices
    /// instead of names; the order is the same on every node of the same build. Not the actor-ref
    /// surrogate: Hyperion reads a known type without turning the surrogate back into a ref.
    /// </summary>
    private static IEnumerable<Type> KnownTypes() =>
        typeof(IProtocolMessage).Assembly.GetTypes()
            .Where(t => ProtocolTypeFilter.IsProtocolType(t) && !t.IsAbstract && !t.IsInterface && !t.ContainsGenericParameters)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
}
