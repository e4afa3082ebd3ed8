using Akka.Actor;
using Akka.Serialization;

namespace DistTrainer.Cluster.Serialization;

/// <summary>
/// An actor ref inside a message travels as its full path with the sender's address and is
/// resolved again by the receiving system, so replies through it reach the right node.
/// </summary>
public sealed record ActorRefSurrogate(string Path)
{
    public static Hyperion.Surrogate For(ExtendedActorSystem system) =>
        Hyperion.Surrogate.Create<IActorRef, ActorRefSurrogate>(
            actorRef => new ActorRefSurrogate(Akka.Serialization.Serialization.SerializedActorPath(actorRef)),
            surrogate => system.Provider.ResolveActorRef(surrogate.Path));
}
