using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Logging;

namespace DistTrainer.Cluster.Hosting;

/// <summary>Starts the actor system of one cluster node.</summary>
public static class ClusterNode
{
    /// <summary>
    /// Starts a node configured by <see cref="ClusterConfigBuilder.Build(ClusterNodeOptions)"/>, with
    /// Akka's log events going to <paramref name="serilog"/>. It joins the cluster through its seed nodes.
    /// </summary>
    /// <param name="overrides">Settings over all others (tests turn on akka.actor.serialize-messages).</param>
    /// <exception cref="IOException">the node cannot listen on its address (the port is taken, the address is not this machine's)</exception>
    public static ActorSystem Start(ClusterNodeOptions options, Serilog.ILogger serilog, Config? overrides = null)
    {
        var config = ClusterConfigBuilder.Build(options);
        if (overrides is not null)
            config = overrides.WithFallback(config);
        var setup = BootstrapSetup.Create().WithConfig(config).And(new SerilogSetup(serilog));
        try
        {
            return ActorSystem.Create(options.SystemName, setup);
        }
        catch (Exception e) when (SocketFailure(e) is { } socket)
        {
            const string tcp = "akka.remote.dot-netty.tcp";
            throw new IOException($"cannot listen on {config.GetString($"{tcp}.hostname")}:{config.GetInt($"{tcp}.port")}: {socket.Message}", e);
        }
    }

    /// <summary>Akka reports a failed bind as a socket error wrapped in several layers of aggregate exceptions.</summary>
    private static System.Net.Sockets.SocketException? SocketFailure(Exception? e) => e switch
    {
        null => null,
        System.Net.Sockets.SocketException socket => socket,
        AggregateException aggregate => aggregate.InnerExceptions.Select(SocketFailure).FirstOrDefault(s => s is not null),
        _ => SocketFailure(e.InnerException),
    };
}
