using Akka.Actor;
using DistTrainer.Cluster.Hosting;
using DistTrainer.Cluster.Security;
using DistTrainer.Worker.Actors;
using DistTrainer.Worker.Hosting;
using Serilog;

namespace DistTrainer.Coordinator.Hosting;

/// <summary>
/// The workers of the embedded default: each its own actor system on 127.0.0.1, joining the
/// coordinator over real remoting with the same serializers and data plane as a cluster node.
/// </summary>
public sealed class EmbeddedWorkers : IAsyncDisposable
{
    private readonly List<ActorSystem> _systems = [];
    private readonly ILogger _log;

    private EmbeddedWorkers(ILogger log) => _log = log;

    public IReadOnlyList<ActorSystem> Systems => _systems;

    /// <param name="tls">The coordinator's credentials, when it runs TLS: the embedded workers speak what it speaks.</param>
    public static EmbeddedWorkers Start(int count, string seedNode, Func<int, WorkerSettings> settings, ILogger log,
        Akka.Configuration.Config? overrides = null, TlsCredentials? tls = null)
    {
        var workers = new EmbeddedWorkers(log.ForContext("Role", ClusterRoles.Worker));
        for (int i = 0; i < count; i++)
            workers._systems.Add(WorkerNode.Start(new ClusterNodeOptions(Hostname: "127.0.0.1", Port: 0, SeedNodes: [seedNode], Tls: tls),
                settings(i), workers._log, overrides));
        return workers;
    }

    /// <summary>Each worker node leaves the cluster, one after the other, each leave bounded in time.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var system in _systems)
            await NodeLifecycle.LeaveAsync(system, _log);
    }
}
