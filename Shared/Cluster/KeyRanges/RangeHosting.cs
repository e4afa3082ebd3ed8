using System.Security.Cryptography;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using Serilog;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>Starts a host of key ranges (<see cref="RangeHostActor"/>) on a data-plane listener of its own.</summary>
public static class RangeHosting
{
    public const string ActorName = "range-host";

    /// <summary>
    /// Starts a host in <paramref name="system"/> listening on <paramref name="bindHost"/> (a free port) for
    /// <paramref name="ranges"/> key ranges, and returns where each range's server is reached (<paramref name="advertisedHost"/>)
    /// with the token its master's stream must present, a fresh secret per range.
    /// </summary>
    public static IReadOnlyList<RangeEndpoint> Start(ActorSystem system, string bindHost, string advertisedHost, int ranges,
        DataPlaneOptions options, ILogger log, string? dispatcher = null)
    {
        IActorRef host = ActorRefs.Nobody;
        var listener = new TensorListener(bindHost, 0, connection => host.Tell(new RangeHostActor.Connected(connection)),
            refusal => log.Warning("Data plane: the key-range host refused a connection: {Reason}", refusal), options, log);
        var props = RangeHostActor.Props(listener, log);
        host = system.ActorOf(dispatcher is null ? props : props.WithDispatcher(dispatcher), ActorName);
        return
        [
            .. Enumerable.Range(0, ranges).Select(range =>
            {
                string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
                host.Tell(new RangeHostActor.ExpectMaster(range, token));
                return new RangeEndpoint(range, advertisedHost, listener.Port, token);
            }),
        ];
    }
}
