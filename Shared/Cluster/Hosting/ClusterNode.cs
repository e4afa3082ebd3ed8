using Akka.Actor;
using Akka.Configuration;
using DistTrainer.Cluster.Logging;
using DistTrainer.Cluster.Security;

namespace DistTrainer.Cluster.Hosting;

/// <summary>Starts the actor system of one cluster node.</summary>
public static class ClusterNode
{
    /// <summary>
    /// Starts a node configured by <see cref="ClusterConfigBuilder.Build(ClusterNodeOptions)"/>, with
    /// Akka's log events going to <paramref name="serilog"/>. It joins the cluster through its seed nodes;
    /// with <see cref="ClusterNodeOptions.Tls"/>, over mutual TLS (<see cref="RemotingTls"/>). Remoting's buffers are not pooled
    /// (<see cref="RemotingBuffers"/>).
    /// </summary>
    /// <param name="overrides">Settings over all others (tests turn on akka.actor.serialize-messages).</param>
    /// <exception cref="IOException">the node cannot listen on its address (the port is taken, the address is not this machine's)</exception>
    /// <exception cref="Core.InvalidInputException">the node would run in clear off loopback without --insecure</exception>
    public static ActorSystem Start(ClusterNodeOptions options, Serilog.ILogger serilog, Config? overrides = null)
    {
        RemotingBuffers.UseUnpooled();
        var config = ClusterConfigBuilder.Build(options);
        if (overrides is not null)
            config = overrides.WithFallback(config);
        string host = config.GetString("akka.remote.dot-netty.tcp.hostname");
        TransportSecurity.Check(host, options.Tls is not null, options.Insecure);
        if (options.Insecure && options.Tls is null && !TransportSecurity.IsLoopback(host))
            serilog.Warning(TransportSecurity.InsecureWarning(host));
        var setup = BootstrapSetup.Create().WithConfig(config).And(new SerilogSetup(serilog));
        if (options.Tls is not null)
            setup = setup.And(RemotingTls.Setup(options.Tls));
        try
        {
            // What ActorSystem.Create(name, setup) does, less the ConfigurationFactory.Load() it evaluates first even when the setup
            // carries the whole config: that starts .NET's application-configuration system (an XML reader, OpenSSL to hash
            // the program's path, a stack trace read with its symbol files), about 10 MB of every node's memory for a section
            // no node has (docs/benchmarks/memory.md). The whole suite runs every node through here.
            var system = new Akka.Actor.Internal.ActorSystemImpl(options.SystemName, config, setup, Akka.Util.Option<Props>.None);
            system.Start();
            return system;
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
