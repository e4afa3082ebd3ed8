using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Protocol;
using DistTrainer.Worker.Actors;
using Serilog;

namespace DistTrainer.Coordinator.Hosting;

/// <summary>
/// The workers of the embedded default: each its own actor system on 127.0.0.1, joining the
/// coordinator over real remoting with the same serializers and data plane as a cluster node.
/// </summary>
public sealed class EmbeddedWorkers : IAsyncDisposable
{
    private readonly List<ActorSystem> _systems = [];

    public IReadOnlyList<ActorSystem> Systems => _systems;

    public static EmbeddedWorkers Start(int count, string seedNode, Func<int, WorkerSettings> settings, ILogger log,
        Akka.Configuration.Config? overrides = null)
    {
        var workers = new EmbeddedWorkers();
        for (int i = 0; i < count; i++)
        {
            var workerSettings = settings(i);
            var system = ClusterNode.Start(
                new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [seedNode], Roles: [ClusterRoles.Worker]),
                log.ForContext("Role", ClusterRoles.Worker), overrides);
            workers._systems.Add(system);
            system.ActorOf(WorkerActor.Props(workerSettings, log.ForContext("Role", ClusterRoles.Worker)).WithDispatcher(Dispatchers.Step), ActorNames.Worker);
        }
        return workers;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var system in _systems)
        {
            try
            {
                await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                await system.Terminate().WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
    }
}
