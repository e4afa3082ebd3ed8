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
    public static ActorSystem Start(ClusterNodeOptions options, Serilog.ILogger serilog, Config? overrides = null)
    {
        var config = ClusterConfigBuilder.Build(options);
        if (overrides is not null)
            config = overrides.WithFallback(config);
        var setup = BootstrapSetup.Create().WithConfig(config).And(new SerilogSetup(serilog));
        return ActorSystem.Create(options.SystemName, setup);
    }
}
