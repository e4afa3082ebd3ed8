using System.Security.Cryptography;
using Akka.Actor;
using DistTrainer.Cluster.DataPlane;
using Serilog;

namespace DistTrainer.Cluster.KeyRanges;

/// <summary>Starts a host of key ranges (<see cref="RangeHostActor"/>) on a data-plane listener of its own, and tells it whom to serve.</summary>
public static class RangeHosting
{
    public const string ActorName = "range-host";

    /// <summary>
    /// Starts a host in <paramref name="system"/> (at /user/range-host) listening on <paramref name="bindHost"/>, a free port;
    /// it serves nothing until told which ranges, for which master (<see cref="RangeHostActor.ExpectMaster"/>). What comes
    /// before what it needs waits within <paramref name="bounds"/> (by default the system's disttrainer.key-ranges).
    /// </summary>
    public static (IActorRef Host, int Port) Start(ActorSystem system, string bindHost, DataPlaneOptions options, ILogger log,
        string? dispatcher = null, KeyRangeBounds? bounds = null)
    {
        IActorRef host = ActorRefs.Nobody;
        var listener = new TensorListener(bindHost, 0, connection => host.Tell(new RangeHostActor.Connected(connection)),
            refusal => log.Warning("Data plane: the key-range host refused a connection: {Reason}", refusal), options, log);
        var props = RangeHostActor.Props(listener, bounds ?? KeyRangeBounds.Create(system.Settings.Config), log);
        host = system.ActorOf(dispatcher is null ? props : props.WithDispatcher(dispatcher), ActorName);
        return (host, listener.Port);
    }

    /// <summary>A fresh secret for the parameter server's stream to one range's server.</summary>
    public static string NewMasterToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// Tells <paramref name="host"/> (reached at <paramref name="advertisedHost"/>:<paramref name="port"/>) to serve ranges 0 to
    /// <paramref name="ranges"/> - 1, and returns where each one's server is with its fresh master token.
    /// </summary>
    public static IReadOnlyList<RangeEndpoint> ServeAll(IActorRef host, string advertisedHost, int port, int ranges) =>
    [
        .. Enumerable.Range(0, ranges).Select(range =>
        {
            string token = NewMasterToken();
            host.Tell(new RangeHostActor.ExpectMaster(range, token));
            return new RangeEndpoint(range, advertisedHost, port, token);
        }),
    ];
}
