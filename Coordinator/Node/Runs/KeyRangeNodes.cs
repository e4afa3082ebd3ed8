using DistTrainer.Core;

namespace DistTrainer.Coordinator.Runs;

/// <summary>How many nodes a run's placed key ranges are spread over (--ps-nodes), checked against the placement.</summary>
public static class KeyRangeNodes
{
    /// <summary>
    /// The nodes for <paramref name="cluster"/>'s key ranges when they are placed on other nodes, 0 when they stay in the
    /// coordinator's; <paramref name="expect"/> is the workers the run expects.
    /// </summary>
    /// <exception cref="InvalidInputException">the counts do not fit the placement</exception>
    public static int Of(ClusterOptions cluster, int expect)
    {
        int ranges = cluster.PsShards;
        switch (cluster.PsPlacement)
        {
            case KeyRangePlacement.Coordinator when cluster.PsNodes is { } nodes:
                throw new InvalidInputException($"--ps-nodes {nodes}: the key ranges stay in the coordinator's node; --ps-nodes goes with " +
                                                "--ps-placement workers or ps-nodes");
            case KeyRangePlacement.Coordinator:
                return 0;
            case KeyRangePlacement.Workers:
                RequireTwoRanges("workers", ranges, "workers' nodes");
                int most = Math.Min(ranges, expect);
                int onWorkers = cluster.PsNodes ?? most;
                if (onWorkers > most)
                    throw new InvalidInputException($"--ps-nodes {onWorkers} with --ps-placement workers: the hosting nodes are workers' nodes, " +
                                                    $"each serving at least one range, so --ps-nodes must be 1 to {most} " +
                                                    $"(the fewer of the --ps-shards {ranges} ranges and the {expect} workers the run expects)");
                return onWorkers;
            default:
                RequireTwoRanges("ps-nodes", ranges, "ps nodes");
                int onPsNodes = cluster.PsNodes ?? ranges;
                if (onPsNodes > ranges)
                    throw new InvalidInputException($"--ps-nodes {onPsNodes} with --ps-shards {ranges}: each ps node serves at least one key " +
                                                    $"range, so --ps-nodes must be 1 to {ranges}");
                return onPsNodes;
        }
    }

    private static void RequireTwoRanges(string placement, int ranges, string nodes)
    {
        if (ranges < 2)
            throw new InvalidInputException($"--ps-placement {placement} with --ps-shards {ranges}: key ranges on {nodes} need --ps-shards 2 " +
                                            "or more (one range stays whole in the coordinator's node)");
    }
}
