using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Worker.Actors;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Coordinator.Tests.Cluster;

/// <summary>
/// A worker that comes back (<see cref="RejoiningWorker"/>, worker id "rejoiner") joined through nodes on 127.0.0.1 (a
/// coordinator's, or any of several), started at once, and every actor system it has started so far.
/// </summary>
internal sealed class RejoinerNode
{
    private readonly List<ActorSystem> _systems = [];

    public RejoinerNode(IReadOnlyList<string> seedNodes, string data, ILogger log) =>
        End = Task.Run(() => RejoiningWorker.Run(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: seedNodes),
            new WorkerSettings("rejoiner", null, data, "cpu", 1, TimeSpan.FromSeconds(60)), log, new TaskCompletionSource().Task,
            system => { lock (_systems) _systems.Add(system); }));

    /// <summary>The seed node of a coordinator node on 127.0.0.1:<paramref name="port"/>.</summary>
    public static string SeedNode(int port) => $"akka.tcp://{ClusterNodeOptions.DefaultSystemName}@127.0.0.1:{port}";

    public Task<WorkerEnd> End { get; }

    /// <summary>The node the worker runs on now.</summary>
    public ActorSystem Current
    {
        get
        {
            lock (_systems) return _systems[^1];
        }
    }

    /// <summary>How many nodes the worker has started.</summary>
    public int Nodes
    {
        get
        {
            lock (_systems) return _systems.Count;
        }
    }
}
