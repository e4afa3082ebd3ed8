using DistTrainer.Cluster.Security;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.Hosting;
using DistTrainer.Coordinator.Runs;
using DistTrainer.Core;
using DistTrainer.Core.CommandLine;
using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Coordinator.Cli;

/// <summary>
/// The cluster options of `train` and `coordinator`, read from the command line and the DISTTRAINER_DATA_PLANE_PORT
/// and DISTTRAINER_TLS_* variables (see <see cref="NodeSecurity"/>); --shard-deadline, --worker-timeout and --max-shard-norm-ratio default to the disttrainer.coordinator section of deploy/disttrainer.hocon.
/// </summary>
public static class ClusterArguments
{
    public static ClusterOptions Read(ArgumentReader reader)
    {
        var mode = reader.String("--batchnorm-mode", "local");
        if (mode is not ("local" or "sync"))
            throw new InvalidInputException($"--batchnorm-mode: '{mode}'; expected local (each worker its own shard's statistics) or sync");
        var sizing = reader.String("--shard-sizing", "throughput");
        if (sizing is not ("throughput" or "equal"))
            throw new InvalidInputException($"--shard-sizing: '{sizing}'; expected throughput or equal");
        int? shards = reader.Integer("--shards", min: 1);
        float? ratio = reader.Float("--max-shard-norm-ratio");
        if (ratio is { } r && r != 0 && !(r >= 1))
            throw new InvalidInputException($"--max-shard-norm-ratio: {r}; expected 0 (off) or a ratio of at least 1");
        var wireDtype = WireDtypes.Parse("--wire-dtype", reader.String("--wire-dtype", "fp32"));
        var dataPlane = reader.String("--data-plane", "memory");
        var placement = reader.String("--ps-placement", "coordinator");
        if (placement is not ("coordinator" or "workers" or "ps-nodes"))
            throw new InvalidInputException($"--ps-placement: '{placement}'; expected coordinator, workers or ps-nodes");
        if (dataPlane is not ("memory" or "tcp"))
            throw new InvalidInputException($"--data-plane: '{dataPlane}'; expected memory (workers in this process hand frames over in memory) or tcp");
        int? dataPlanePort = reader.Integer("--data-plane-port", min: 0);
        if (dataPlanePort is null && Environment.GetEnvironmentVariable(ClusterOptions.DataPlanePortVariable) is { Length: > 0 } text)
            dataPlanePort = int.TryParse(text, out int port) && port is >= 0 and <= 65535
                ? port
                : throw new InvalidInputException($"{ClusterOptions.DataPlanePortVariable}: '{text}' is not a port number");
        return new ClusterOptions
        {
            Hostname = reader.String("--hostname"),
            Port = reader.Integer("--port", min: 0),
            PublicHostname = reader.String("--public-hostname"),
            SeedNodes = reader.String("--seed-nodes")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            DataPlanePort = dataPlanePort,
            SynchronisedBatchNorm = mode == "sync",
            WireDtype = wireDtype,
            DataPlaneInMemory = dataPlane == "memory",
            Sizing = sizing == "equal" ? ShardSizing.Equal : ShardSizing.Throughput,
            ShardDeadline = Seconds(reader.Integer("--shard-deadline", min: 1)) ?? CoordinatorNodeSettings.Default.ShardDeadline,
            WorkerTimeout = Seconds(reader.Integer("--worker-timeout", min: 1)) ?? CoordinatorNodeSettings.Default.WorkerTimeout,
            ExpectWorkers = reader.Integer("--expect-workers", min: 1),
            Shards = shards,
            MaxShardNormRatio = ratio ?? CoordinatorNodeSettings.Default.MaxShardNormRatio,
            PsShards = reader.Integer("--ps-shards", min: 1) ?? 1,
            PsNodes = reader.Integer("--ps-nodes", min: 1),
            PsPlacement = placement switch
            {
                "workers" => KeyRangePlacement.Workers,
                "ps-nodes" => KeyRangePlacement.PsNodes,
                _ => KeyRangePlacement.Coordinator,
            },
            Security = NodeSecurity.Read(reader, Environment.GetEnvironmentVariable),
        };
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;
}
