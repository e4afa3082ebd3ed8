using Akka.Actor;
using Akka.Configuration;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// Whether a `coordinator` process starts as the active coordinator or as a standby, from its node's configuration
/// alone, so that every coordinator can be started with the same options: one whose own address is the first seed node
/// (or that has none) founds the cluster and trains; one whose address is a later seed node, or no seed node at all, joins
/// through them and stands by. Listing the standbys' addresses after the first lets a restarted first coordinator find a
/// run one of them took over (<see cref="ActiveCoordinatorProbe"/>), and lets a worker that starts after a takeover join
/// through it.
/// </summary>
public static class StandbyRule
{
    private const string Tcp = "akka.remote.dot-netty.tcp";

    public static bool IsStandby(Config config)
    {
        var seeds = config.GetStringList("akka.cluster.seed-nodes");
        return seeds.Count > 0 && !IsOwn(config, seeds[0]);
    }

    /// <summary>
    /// The seed nodes after the first, less this node's own address: where a coordinator that took the run over from the
    /// first one listens (it binds the address its standby process was started with).
    /// </summary>
    public static IReadOnlyList<string> OtherCoordinators(Config config) =>
        [.. config.GetStringList("akka.cluster.seed-nodes").Skip(1).Where(seed => !IsOwn(config, seed))];

    private static bool IsOwn(Config config, string seed)
    {
        string host = config.GetString($"{Tcp}.public-hostname") is { Length: > 0 } advertised ? advertised : config.GetString($"{Tcp}.hostname");
        var address = Address.Parse(seed);
        return string.Equals(address.Host, host, StringComparison.OrdinalIgnoreCase) && address.Port == config.GetInt($"{Tcp}.port");
    }
}
