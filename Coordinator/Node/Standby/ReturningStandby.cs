using Akka.Configuration;
using DistTrainer.Cluster.Hosting;
using Serilog;

namespace DistTrainer.Coordinator.Standby;

/// <summary>
/// A standby that comes back. Its node removed from the cluster before it could take over (downed by the split-brain
/// resolver after a long pause or a partition that the active coordinator's side survived) can never rejoin: Akka
/// quarantines that incarnation for good. Ending there would leave the run without a standby, so it starts a fresh
/// node with the same options, which joins through the seed nodes, registers with the active coordinator and receives
/// its checkpoints again into the same state file, as a worker's fresh node registers again. The standby has
/// <see cref="StandbySettings.JoinTimeout"/> to join, at its start and after each removal; a node not up within
/// <see cref="StandbySettings.FreshJoinAfter"/> of it gives way to a fresh one meanwhile (a node removed before its welcome
/// reached it is refused for good), and none up by the end (no seed node took one in: the active coordinator is gone
/// too) ends the standby.
/// </summary>
public static class ReturningStandby
{
    /// <param name="stop">Completes when a signal asks the standby to leave.</param>
    /// <param name="started">Told each node as it starts (the first, then each fresh one).</param>
    /// <param name="overrides">Configuration over the shipped one, for every node.</param>
    /// <returns>
    /// The node standing by at the end with <see cref="StandbyOutcome.TakeOver"/> or <see cref="StandbyOutcome.Stood"/>
    /// (the caller disposes it), or no node with <see cref="StandbyOutcome.NotJoined"/>.
    /// </returns>
    public static (StandbyNode? Node, StandbyOutcome Outcome) Run(ClusterNodeOptions node, string? statePath, ILogger log, Task stop,
        Action<StandbyNode>? started = null, Config? overrides = null)
    {
        DateTime? joinBy = null;
        for (int incarnation = 1; ; incarnation++)
        {
            var standby = StandbyNode.Start(node, statePath, log, overrides);
            started?.Invoke(standby);
            var settings = standby.Settings;
            joinBy ??= DateTime.UtcNow + settings.JoinTimeout;
            var left = TimeSpan.FromTicks(Math.Max(0, (joinBy.Value - DateTime.UtcNow).Ticks));
            // Decided before the wait: a wait cut short by the join timeout ends the standby, whatever the timer's grain.
            bool freshNodeNext = settings.FreshJoinAfter < left;
            var outcome = standby.WaitForTakeover(stop, freshNodeNext ? settings.FreshJoinAfter : left);
            if (outcome is StandbyOutcome.TakeOver or StandbyOutcome.Stood) return (standby, outcome);
            string address = standby.Address;
            standby.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (outcome == StandbyOutcome.NotJoined && freshNodeNext)
            {
                log.Information("Standby coordinator {Node}: not up in the cluster within {Seconds:F0} s (disttrainer.standby.fresh-join-after); " +
                                "starting a fresh node (incarnation {Incarnation}): a seed node that removed this one as it joined refuses it for good",
                    address, settings.FreshJoinAfter.TotalSeconds, incarnation + 1);
                continue;
            }
            if (outcome == StandbyOutcome.NotJoined)
            {
                log.Error("Standby coordinator {Node} (incarnation {Incarnation}): did not join the cluster through {Seeds} within {Seconds:F0} s " +
                          "(disttrainer.standby.join-timeout); no active coordinator to stand by for", address, incarnation, node.SeedNodes,
                    settings.JoinTimeout.TotalSeconds);
                return (null, outcome);
            }
            joinBy = null;
            log.Warning("Standby coordinator {Node}: its node was removed from the cluster before it could take over; starting a fresh " +
                        "node (incarnation {Incarnation}) to stand by again", address, incarnation + 1);
        }
    }
}
