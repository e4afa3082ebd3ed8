using Akka.Actor;
using Akka.Configuration;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Whether a `coordinator` process starts as the active coordinator or as a standby, from its node's configuration
/// alone, so that every coordinator can be started with the same options: one whose own address is a seed node (or that
/// has none) founds the cluster and trains; one that is not a seed node joins through them and stands by.
/// </summary>
public static class StandbyRule
{
    private const string Tcp = "akka.remote.dot-netty.tcp";

    public static bool IsStandby(Config config)
    {
        var seeds = config.GetStringList("akka.cluster.seed-nodes");
        if (seeds.Count == 0) return false;
        string host = config.GetString($"{Tcp}.public-hostname") is { Length: > 0 } advertised ? advertised : config.GetString($"{Tcp}.hostname");
        int port = config.GetInt($"{Tcp}.port");
        return !seeds.Select(Address.Parse).Any(seed => string.Equals(seed.Host, host, StringComparison.OrdinalIgnoreCase) && seed.Port == port);
    }
}
