using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Security;
using DistTrainer.Core;
using DistTrainer.Core.CommandLine;
using DistTrainer.Core.Nn;
using DistTrainer.Worker.Actors;
using DistTrainer.Worker.Hosting;

namespace DistTrainer.Worker.Cli;

/// <summary>
/// The options of `worker`, parsed and checked. Where the node binds and which seeds it joins
/// through may also come from the DISTTRAINER_* variables (see <see cref="ClusterConfigBuilder"/>);
/// an option wins over its variable; so may the TLS files (see <see cref="NodeSecurity"/>). --registration-timeout defaults to disttrainer.worker.registration-timeout
/// in deploy/disttrainer.hocon.
/// </summary>
public sealed record WorkerOptions
{
    public IReadOnlyList<string>? SeedNodes { get; init; }
    public string? Hostname { get; init; }
    public int? Port { get; init; }
    public string? PublicHostname { get; init; }
    public required string WorkerId { get; init; }
    /// <summary>The model this worker expects; the coordinator refuses it when it trains another.</summary>
    public string? Layers { get; init; }
    public string? DataDir { get; init; }
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    public string? LogDir { get; init; }
    public TimeSpan RegistrationTimeout { get; init; } = WorkerNodeSettings.Default.RegistrationTimeout;
    /// <summary>Where this worker serves its Prometheus metrics (null: nowhere).</summary>
    public int? MetricsPort { get; init; }
    public NodeSecurity Security { get; init; } = NodeSecurity.Plaintext;
    /// <summary>--role ps: the node serves the key ranges a coordinator places on it (--ps-placement ps-nodes) and computes nothing.</summary>
    public bool RangesOnly { get; init; }

    /// <param name="environment">Reads an environment variable: the seed nodes (to refuse a worker that could join nothing) and the TLS files.</param>
    public static WorkerOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var reader = new ArgumentReader(args, new HashSet<string> { NodeSecurity.InsecureFlag });
        var options = new WorkerOptions
        {
            SeedNodes = reader.String("--seed-nodes") is { } seeds ? SeedList(seeds) : null,
            Hostname = reader.String("--hostname"),
            Port = reader.Integer("--port", min: 0) is { } port ? ValidPort("--port", port) : null,
            PublicHostname = reader.String("--public-hostname"),
            WorkerId = reader.String("--worker-id") is { } id ? ValidId(id) : $"{Environment.MachineName}-{Environment.ProcessId}",
            Layers = reader.String("--layers") is { } layers ? ValidLayers(layers) : null,
            DataDir = reader.String("--data-dir") is { } dir ? ExistingDirectory(dir) : null,
            Device = reader.String("--device", "auto"),
            Threads = reader.Integer("--threads", min: 0) ?? 0,
            LogDir = reader.String("--log-dir"),
            RegistrationTimeout = reader.Integer("--registration-timeout", min: 1) is { } seconds
                ? TimeSpan.FromSeconds(seconds)
                : WorkerNodeSettings.Default.RegistrationTimeout,
            MetricsPort = reader.Integer("--metrics-port", min: 0) is { } metrics and > 0 ? ValidPort("--metrics-port", metrics) : null,
            Security = NodeSecurity.Read(reader, environment),
            RangesOnly = reader.String("--role", "worker") switch
            {
                "worker" => false,
                ClusterRoles.Ps => true,
                var role => throw new InvalidInputException($"--role: '{role}'; expected worker (computes shards) or ps (serves key ranges)"),
            },
        };
        reader.RejectUnread();
        if (options.Device is not ("auto" or "cpu" or "ilgpu"))
            throw new InvalidInputException($"--device: unknown device '{options.Device}'; expected auto, cpu or ilgpu");
        if (options.SeedNodes is null && string.IsNullOrWhiteSpace(environment(ClusterConfigBuilder.SeedNodesVariable)))
            throw new InvalidInputException(
                $"--seed-nodes: required (or set {ClusterConfigBuilder.SeedNodesVariable}): a worker joins a cluster a coordinator started");
        return options;
    }

    public ClusterNodeOptions ClusterNode =>
        new(Hostname, Port, PublicHostname, SeedNodes, [ClusterRoles.Worker], Tls: Security.Tls, Insecure: Security.Insecure);

    public WorkerSettings Settings => new(WorkerId, Layers, DataDir, Device, Threads, RegistrationTimeout, RangesOnly: RangesOnly);

    private static List<string> SeedList(string text)
    {
        var seeds = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (seeds.Length == 0)
            throw new InvalidInputException("--seed-nodes: no address given; expected akka.tcp://disttrainer@host:port[,...] (or akka.ssl.tcp://)");
        return seeds.Select(seed => SeedNode.Validate("--seed-nodes", seed, ClusterNodeOptions.DefaultSystemName)).ToList();
    }

    private static int ValidPort(string option, int port) =>
        port <= ushort.MaxValue ? port : throw new InvalidInputException($"{option}: {port} is not a port number (0-65535)");

    private static string ValidId(string id) =>
        id.Length > 0 && !id.Any(char.IsWhiteSpace) && !id.Any(char.IsControl)
            ? id
            : throw new InvalidInputException($"--worker-id: '{id}' is not a worker id (no spaces, not empty)");

    private static string ValidLayers(string layers)
    {
        ModelSpec.Parse(layers);
        return layers;
    }

    private static string ExistingDirectory(string dir) =>
        Directory.Exists(dir) ? dir : throw new InvalidInputException($"--data-dir: directory '{dir}' does not exist");
}
